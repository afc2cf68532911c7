-- Store the source runs just read (the Arrow table `fetched_runs`) that are not stored yet.
INSERT INTO mlflow_runs (
    run_id, found, experiment_id, run_name, status, lifecycle_stage, user_id, start_time,
    end_time, params, metrics, tags, observed_at, ingestion_id
)
SELECT
    f.run_id, true, f.experiment_id, f.run_name, f.status, f.lifecycle_stage, f.user_id,
    f.start_time, f.end_time, f.params, f.metrics, f.tags, $observed_at, $ingestion_id
FROM fetched_runs AS f
WHERE NOT EXISTS (SELECT 1 FROM mlflow_runs AS r WHERE r.run_id = f.run_id);
