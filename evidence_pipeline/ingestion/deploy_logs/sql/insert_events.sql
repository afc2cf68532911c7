-- Land the staged events that are new (parameters: ingested_at, ingestion_id).
INSERT INTO deployment_events
SELECT
    s.event_id, s.event_time, s.event_type, s.model_name, s.model_version, s.environment,
    s.endpoint, s.actor, s.approved_by, s.change_ticket, s.status, s.incident_id, s.details,
    s.raw, s.source_format, s.source_uri, s.source_line, s.content_hash, $ingested_at,
    $ingestion_id
FROM stg_events AS s
ANTI JOIN held_back_events AS h USING (source_uri, source_line)
