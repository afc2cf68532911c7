SELECT a.* FROM backfill_deployed_versions_at_event a WHERE a.event_id IN (SELECT event_id FROM backfill_deployment_events WHERE event_time <= __days.as_of)
