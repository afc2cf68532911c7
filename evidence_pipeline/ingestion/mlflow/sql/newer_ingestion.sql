-- The start of a succeeded MLflow ingestion that began after this one read the registry
-- (`observed_at`) and has already landed it: this one's snapshot is older than the warehouse.
SELECT max(started_at)
FROM ingestion_runs
WHERE source = 'mlflow' AND status = 'succeeded' AND started_at > $observed_at;
