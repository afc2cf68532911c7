-- Quarantine the bad input and the conflicting repeats (parameters: ingested_at, ingestion_id).
INSERT INTO quarantine (source, location, line, error, raw, ingested_at, ingestion_id)
SELECT 'deploy_logs', uri, line, error, raw, $ingested_at, $ingestion_id
FROM stg_quarantine
UNION ALL
SELECT
    'deploy_logs', h.source_uri, h.source_line,
    'event_id ' || to_json(h.event_id) || CASE
        WHEN h.in_warehouse THEN ' is already in the warehouse with different content (from '
        ELSE ' is repeated with different content (first seen at '
    END || h.first_uri || ' line ' || h.first_line || ')',
    s.raw::VARCHAR, $ingested_at, $ingestion_id
FROM held_back_events AS h
JOIN stg_events AS s USING (source_uri, source_line)
WHERE NOT h.same_content
