-- The dataset inputs of the runs this ingestion stored (the Arrow table `fetched_dataset_inputs`).
INSERT INTO mlflow_run_dataset_inputs (
    run_id, dataset_name, digest, source_type, source, context, observed_at, ingestion_id
)
SELECT
    d.run_id, d.dataset_name, d.digest, d.source_type, d.source, d.context,
    $observed_at, $ingestion_id
FROM fetched_dataset_inputs AS d
WHERE d.run_id IN (
    SELECT run_id FROM mlflow_runs WHERE ingestion_id = $ingestion_id AND found
);
