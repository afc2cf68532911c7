-- Every run id already stored (found or not): these are never fetched again.
SELECT run_id FROM mlflow_runs;
