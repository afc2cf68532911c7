-- MLflow runs started at or before $as_of (a run without a start time is kept); none when MLflow
-- is not configured.
CREATE OR REPLACE TEMP TABLE mlflow_runs_as_of AS
SELECT *
FROM mlflow_runs
WHERE (start_time IS NULL OR start_time <= $as_of) AND source_configured('mlflow');
