-- Every MLflow run, once for the whole backfill; a day's mlflow_runs_as_of is its rows started
-- at or before as_of (or with no start time, kept on every day), as
-- helpers/60_mlflow_runs_as_of.sql gives them.
CREATE OR REPLACE TEMP TABLE backfill_mlflow_runs AS
SELECT *, coalesce(start_time, CAST('-infinity' AS TIMESTAMPTZ)) AS __visible_from
FROM mlflow_runs
WHERE source_configured('mlflow');
