-- batches control_mappings/rules/production_change_event_traceable.sql sha256:597fa97e4d82a5ebde893e432e665d9161878e03fd784d4276f7f35b2c753657
-- That rule for every day: an event's verdict does not depend on as_of, so it is made once per
-- event, then given to each day whose window holds the event.
WITH judged AS (
    SELECT
        event_id,
        event_time,
        CASE
            WHEN actor IS NOT NULL AND nullif(trim(change_ticket), '') IS NOT NULL THEN 'pass'
            ELSE 'fail'
        END AS status,
        CASE
            WHEN actor IS NULL AND nullif(trim(change_ticket), '') IS NULL THEN
                event_type || ' of ' || endpoint_id || ' names neither actor nor change_ticket'
            WHEN actor IS NULL THEN event_type || ' of ' || endpoint_id || ' names no actor'
            WHEN nullif(trim(change_ticket), '') IS NULL THEN
                event_type || ' of ' || endpoint_id || ' names no change_ticket'
            ELSE event_type || ' of ' || endpoint_id || ' by ' || actor || ' under '
                || trim(change_ticket)
        END AS reason,
        evidence_ref
    FROM backfill_deployment_events
    WHERE is_production
        AND status = 'succeeded'
        AND event_type IN ('deploy', 'rollback', 'undeploy')
)
SELECT
    d.as_of AS __as_of,
    'deployment_event' AS subject_type,
    j.event_id AS subject_id,
    j.status,
    j.reason,
    j.evidence_ref
FROM backfill_days d
JOIN judged j
    ON j.event_time > d.as_of - to_hours($window_days * 24) AND j.event_time <= d.as_of
