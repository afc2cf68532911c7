-- The MLflow ingestion row of a Dagster run (else the latest one), for the records-add-up check.
SELECT ingestion_id, status, records_read, rows_landed, quarantined, skipped
FROM ingestion_runs
WHERE source = 'mlflow'
ORDER BY (run_id IS NOT DISTINCT FROM $run_id) DESC, started_at DESC
LIMIT 1;
