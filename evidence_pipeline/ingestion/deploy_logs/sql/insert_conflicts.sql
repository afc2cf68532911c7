-- Quarantine the repeats with different content. Parameters: ingested_at, ingestion_id.
INSERT INTO quarantine (source, location, line, error, raw, ingested_at, ingestion_id)
SELECT
    'deploy_logs', h.source_uri, h.source_line,
    'event_id ' || to_json(h.event_id) || CASE
        WHEN h.in_warehouse THEN ' is already in the warehouse with different content (from '
        ELSE ' is repeated with different content (first seen at '
    END || h.first_uri || ' line ' || h.first_line || ')',
    d.raw, $ingested_at, $ingestion_id
FROM held_back_events AS h
JOIN deployment_events AS d
    ON d.ingestion_id = $ingestion_id
    AND d.source_uri = h.source_uri
    AND d.source_line = h.source_line
WHERE NOT h.same_content
