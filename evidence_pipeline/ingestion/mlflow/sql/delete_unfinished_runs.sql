-- Runs stored while unfinished and read again now (`fetched_runs`): their rows and dataset
-- inputs go, to be stored again as they are now by insert_runs.sql.
DELETE FROM mlflow_run_dataset_inputs
WHERE run_id IN (
    SELECT r.run_id
    FROM mlflow_runs AS r
    JOIN fetched_runs AS f USING (run_id)
    WHERE r.found AND r.status IN ('RUNNING', 'SCHEDULED')
);
DELETE FROM mlflow_runs
WHERE found AND status IN ('RUNNING', 'SCHEDULED')
    AND run_id IN (SELECT run_id FROM fetched_runs);
