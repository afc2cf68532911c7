-- Shows an auditor that the event log of production changes is complete enough to trace each
-- change: every production deploy, rollback and undeploy in the window names who performed
-- it and the change record it belongs to.
-- Subject: succeeded production deploy, rollback or undeploy event in the last window_days days.
-- Params: window_days.
SELECT
    'deployment_event' AS subject_type,
    event_id AS subject_id,
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
FROM deployment_events_as_of
WHERE is_production
    AND status = 'succeeded'
    AND event_type IN ('deploy', 'rollback', 'undeploy')
    AND event_time > $as_of - to_hours($window_days * 24)
    AND event_time <= $as_of
