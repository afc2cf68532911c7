-- Shows that every succeeded production deploy or rollback of the last $window_days days was
-- approved by someone other than who performed it, for a version registered beforehand: in
-- the registry at the time of the event, whatever became of it since.
WITH deployment AS (
    SELECT *
    FROM deployment_events_as_of
    WHERE is_production
        AND status = 'succeeded'
        AND event_type IN ('deploy', 'rollback')
        AND event_time > $as_of - to_hours($window_days * 24)
),
judged AS (
    SELECT
        e.*,
        CASE WHEN a.event_id IS NOT NULL THEN a.observed_at ELSE v.observed_at END
            AS registry_observed_at,
        CASE
            WHEN e.actor IS NULL THEN 'no actor recorded'
            WHEN e.approved_by IS NULL THEN 'no approver recorded'
            WHEN same_person(e.actor, e.approved_by)
                THEN 'approved by the person who performed it (actor ' || e.actor
                    || ', approved_by ' || e.approved_by || ')'
            WHEN a.event_id IS NOT NULL THEN NULL
            WHEN v.version IS NULL THEN 'not in registry'
            WHEN v.created_at IS NULL OR v.created_at > e.event_time
                THEN 'version ' || e.version_id || ' was registered after the ' || e.event_type
            ELSE 'version ' || e.version_id || ' was not in the registry at the time of the '
                || e.event_type
        END AS failure,
        -- who acted and who approved are read from the event alone: only a verdict past them
        -- rests on the registry row
        e.actor IS NOT NULL AND e.approved_by IS NOT NULL
            AND NOT same_person(e.actor, e.approved_by) AS judged_on_registry
    FROM deployment e
    -- the entry as it stood at the event: a version deleted or changed since was registered
    LEFT JOIN deployed_versions_at_event a
        ON a.event_id = e.event_id AND a.created_at <= e.event_time
    LEFT JOIN model_versions_as_of v ON v.name = e.model_name AND v.version = e.model_version
)
SELECT
    'deployment_event' AS subject_type,
    event_id AS subject_id,
    CASE WHEN failure IS NULL THEN 'pass' ELSE 'fail' END AS status,
    coalesce(
        failure,
        event_type || ' of ' || version_id || ' to ' || endpoint_id || ' by ' || actor
            || ', approved by ' || approved_by
    ) AS reason,
    evidence_ref,
    CASE WHEN judged_on_registry THEN registry_observed_at END AS relies_on_observed_at
FROM judged
-- Without the registry a deployment cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
