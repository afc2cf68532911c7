-- batches control_mappings/rules/production_deploy_of_validated_version.sql sha256:6012a98330ecbf3402b574dac377372ab9c65234ffcc52680533ab8ea42305e5
-- That rule for every day: an event's verdict rests on the registry as it stood at the event,
-- not on as_of, so it is made once per event, then given to each day whose window holds it.
WITH deploys AS (
    SELECT *
    FROM backfill_deployment_events
    WHERE is_production
        AND status = 'succeeded'
        AND event_type IN ('deploy', 'rollback')
),
judged AS (
    SELECT
        d.event_id,
        d.event_time,
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
    LEFT JOIN backfill_deployed_versions_at_event a ON a.event_id = d.event_id
)
SELECT
    day.as_of AS __as_of,
    'deployment_event' AS subject_type,
    j.event_id AS subject_id,
    j.status,
    j.reason,
    j.evidence_ref,
    j.relies_on_observed_at
FROM backfill_days day
JOIN judged j
    ON j.event_time > day.as_of - to_hours($window_days * 24) AND j.event_time <= day.as_of
-- Without the registry a deployment cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
