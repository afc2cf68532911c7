-- The run ids already stored for good (found or not): these are not fetched again. A run
-- stored while it was still running (a version registered from inside its run) is fetched
-- again at each ingestion until it has ended, so that what it logged afterwards is kept.
SELECT run_id
FROM mlflow_runs
WHERE NOT (found AND coalesce(status IN ('RUNNING', 'SCHEDULED'), false));
