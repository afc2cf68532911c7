-- Remember the objects read, with their version token, so that the next run skips them
-- (parameters: ingested_at, ingestion_id).
INSERT OR REPLACE INTO ingested_objects (source, uri, version_token, size, modified_at,
    ingestion_id, ingested_at, records_read, rows_landed, quarantined, skipped)
SELECT
    'deploy_logs', uri, version_token, size, modified_at, $ingestion_id, $ingested_at,
    records_read, rows_landed, quarantined, skipped
FROM object_outcomes
