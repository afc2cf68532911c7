-- Remember the run ids the tracking server does not know, so they are not asked for again.
INSERT INTO mlflow_runs (run_id, found, observed_at, ingestion_id)
SELECT m.run_id, false, $observed_at, $ingestion_id
FROM (SELECT DISTINCT unnest($missing_run_ids::VARCHAR[]) AS run_id) AS m
WHERE NOT EXISTS (SELECT 1 FROM mlflow_runs AS r WHERE r.run_id = m.run_id);
