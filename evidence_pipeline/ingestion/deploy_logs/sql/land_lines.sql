-- Lines that pass every check land (endpoint defaults to model_name; repeats are taken out
-- again by hold_back_events.sql before the transaction commits). The bad ones go to
-- `quarantined()`, which keeps them for stage_bad_lines.sql and answers false (CASE: it is
-- called only for the lines that do not land). Parameters: ingested_at, ingestion_id.
INSERT INTO deployment_events
SELECT
    event_id, event_time, event_type, model_name, model_version, environment,
    coalesce(endpoint, model_name), actor, approved_by, change_ticket, status, incident_id,
    details, text, 'jsonl', uri, line, md5(text), $ingested_at, $ingestion_id
FROM checked_lines()
WHERE CASE WHEN error IS NULL THEN true ELSE quarantined(uri, line, error, text) END
