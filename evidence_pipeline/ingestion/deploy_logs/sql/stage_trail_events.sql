-- CloudTrail events land (taken out again by hold_back_events.sql when they repeat).
-- Parameters: ingested_at, ingestion_id.
INSERT INTO deployment_events
SELECT
    event_id, event_time, event_type, model_name, model_version, environment, endpoint, actor,
    approved_by, change_ticket, status, incident_id, details::JSON, raw, source_format,
    source_uri, source_line, content_hash, $ingested_at, $ingestion_id
FROM trail_events
