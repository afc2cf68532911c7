-- Every dataset input of a run, once for the whole backfill, with the latest start time of the
-- runs of its run_id: helpers/70_run_dataset_inputs_as_of.sql drops an input at as_of when a
-- run of its run_id started after as_of, that is when this latest start is after as_of.
CREATE OR REPLACE TEMP TABLE backfill_run_dataset_inputs AS
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
WHERE source_configured('mlflow');
