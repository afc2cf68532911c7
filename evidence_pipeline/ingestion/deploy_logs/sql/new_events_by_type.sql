SELECT event_type, count(*) AS events
FROM deployment_events
WHERE ingestion_id = ?
GROUP BY event_type
ORDER BY events DESC, event_type
