-- Good lines become staged events (endpoint defaults to model_name); bad ones staged quarantine.
INSERT INTO stg_events
SELECT
    event_id, event_time, event_type, model_name, model_version, environment,
    coalesce(endpoint, model_name), actor, approved_by, change_ticket, status, incident_id,
    json_extract(j, '$.details'), j, 'jsonl', uri, line, md5(json(j))
FROM checked_lines
WHERE error IS NULL;

INSERT INTO stg_quarantine
SELECT uri, line, error, text FROM checked_lines WHERE error IS NOT NULL;
