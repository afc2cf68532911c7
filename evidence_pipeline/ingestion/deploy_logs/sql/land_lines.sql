-- Lines that pass every check land (endpoint defaults to model_name; repeats are taken out
-- again by hold_back_events.sql before the transaction commits). The bad ones, if any, are
-- staged for quarantine by stage_bad_lines.sql. Parameters: ingested_at, ingestion_id.
INSERT INTO deployment_events
SELECT
    event_id, event_time, event_type, model_name, model_version, environment,
    coalesce(endpoint, model_name), actor, approved_by, change_ticket, status, incident_id,
    details, text, 'jsonl', uri, line, md5(text), $ingested_at, $ingestion_id
FROM checked_lines()
WHERE error IS NULL
