SELECT ingestion_id, status, records_read, rows_landed, quarantined, skipped, message
FROM ingestion_runs
WHERE source = ?
ORDER BY started_at DESC
LIMIT 1
