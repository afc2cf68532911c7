-- Shows an auditor that models are put to use in production only after passing validation:
-- every production deploy or rollback in the window released a version whose registry entry,
-- at the time of the deployment, recorded that it had passed validation.
-- Subject: succeeded production deploy or rollback event in the last window_days days.
-- Params: window_days, validation_status_tag, passed_value.
-- (deployed_versions_at_event: the registry entry as it stood at the event's time)
WITH deploys AS (
    SELECT *
    FROM deployment_events_as_of
    WHERE is_production
        AND status = 'succeeded'
        AND event_type IN ('deploy', 'rollback')
        AND event_time > $as_of - to_hours($window_days * 24)
        AND event_time <= $as_of
)
SELECT
    'deployment_event' AS subject_type,
    d.event_id AS subject_id,
    CASE
        WHEN lower(tag_value(a.tags, $validation_status_tag)) = lower($passed_value) THEN 'pass'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN a.event_id IS NULL THEN
            d.event_type || ' of ' || d.version_id || ' to ' || d.endpoint_id
            || ': version not in registry at the time'
        WHEN tag_value(a.tags, $validation_status_tag) IS NULL THEN
            d.event_type || ' of ' || d.version_id || ' to ' || d.endpoint_id || ': '
            || $validation_status_tag || ' tag was empty at the time'
        ELSE d.event_type || ' of ' || d.version_id || ' to ' || d.endpoint_id || ': '
            || $validation_status_tag || ' was '
            || lower(tag_value(a.tags, $validation_status_tag)) || ' at the time'
    END AS reason,
    d.evidence_ref,
    a.observed_at AS relies_on_observed_at
FROM deploys d
LEFT JOIN deployed_versions_at_event a ON a.event_id = d.event_id
-- Without the registry a deployment cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
