-- Quarantine the bad input. Parameters: ingested_at, ingestion_id.
INSERT INTO quarantine (source, location, line, error, raw, ingested_at, ingestion_id)
SELECT 'deploy_logs', uri, line, error, raw, $ingested_at, $ingestion_id
FROM stg_quarantine
