-- Every dataset input of a run, once for the whole backfill: helpers/70_run_dataset_inputs_as_of.sql
-- drops an input at as_of when a run of its run_id started after as_of, that is when the latest
-- start of those runs (run_started_at) is after as_of; it is visible from that instant on.
CREATE OR REPLACE TEMP TABLE backfill_run_dataset_inputs AS
WITH input AS (
    SELECT
        i.run_id,
        i.dataset_name,
        nullif(trim(i.digest), '') AS digest,
        i.source_type,
        i.source,
        i.context,
        i.observed_at,
        (SELECT max(r.start_time) FROM mlflow_runs r WHERE r.run_id = i.run_id) AS run_started_at
    FROM mlflow_run_dataset_inputs i
    WHERE source_configured('mlflow')
)
SELECT *, coalesce(run_started_at, CAST('-infinity' AS TIMESTAMPTZ)) AS __visible_from
FROM input;
