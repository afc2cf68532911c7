SELECT * FROM backfill_deployment_events WHERE event_time <= __days.as_of
