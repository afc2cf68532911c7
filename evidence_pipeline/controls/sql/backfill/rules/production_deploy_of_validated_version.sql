-- batches control_mappings/rules/production_deploy_of_validated_version.sql sha256:2a487d32379c46ec27e6729b3d1a5cd9b098fb771a1d7fbfb68e9848fabbe6a9
-- That rule for every day: an event's verdict rests on the registry as it stood at the event,
-- not on as_of, so it is made once per event, then given to each day whose window holds it.
WITH deploys AS (
    SELECT *
    FROM backfill_deployment_events
    WHERE is_production
        AND status = 'succeeded'
        AND event_type IN ('deploy', 'rollback')
),
at_deploy AS (
    -- the registry entry of the deployed version as it stood at the event's time
    SELECT
        d.event_id,
        v.tags,
        v.observed_at
    FROM deploys d
    JOIN mlflow_model_versions v
        ON v.name = d.model_name AND v.version = d.model_version
        AND v.valid_from <= d.event_time AND (v.valid_to IS NULL OR d.event_time < v.valid_to)
    QUALIFY row_number() OVER (
        PARTITION BY d.event_id ORDER BY v.valid_from DESC, v.observed_at DESC
    ) = 1
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
    LEFT JOIN at_deploy a ON a.event_id = d.event_id
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
