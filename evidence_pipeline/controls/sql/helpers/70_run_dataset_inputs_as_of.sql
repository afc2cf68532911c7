-- Dataset inputs of the runs that existed at $as_of (a run not started after as_of); none when
-- MLflow is not configured.
CREATE OR REPLACE TEMP TABLE run_dataset_inputs_as_of AS
SELECT
    i.run_id,
    i.dataset_name,
    nullif(trim(i.digest), '') AS digest,
    i.source_type,
    i.source,
    i.context,
    i.observed_at
FROM mlflow_run_dataset_inputs i
WHERE source_configured('mlflow') AND NOT EXISTS (
    SELECT 1 FROM mlflow_runs r
    WHERE r.run_id = i.run_id AND r.start_time > $as_of
);
