SELECT event_time, event_type, model_name, model_version, environment, endpoint, status, event_id
FROM deployment_events
WHERE ingestion_id = ?
ORDER BY event_time DESC, event_id
LIMIT ?
