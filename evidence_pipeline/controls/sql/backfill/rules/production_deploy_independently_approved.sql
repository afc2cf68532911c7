-- batches control_mappings/rules/production_deploy_independently_approved.sql sha256:3f39915ba06a243a08336df0323c3d75554b0b5474de8449e0f8566e508eb773
-- That rule for every day. What an event says of who acted and who approved does not depend
-- on as_of, nor does the registry entry as it stood at the event's time (deployed_versions_at_
-- event): both are read once per event; the registry as of the day is read, for the reason of
-- a failure, for each day whose window holds the event.
WITH deployment AS (
    SELECT
        e.event_id,
        e.event_time,
        model_name,
        model_version,
        evidence_ref,
        CASE
            WHEN actor IS NULL THEN 'no actor recorded'
            WHEN approved_by IS NULL THEN 'no approver recorded'
            WHEN same_person(actor, approved_by)
                THEN 'approved by the person who performed it (actor ' || actor
                    || ', approved_by ' || approved_by || ')'
        END AS event_failure,
        actor IS NOT NULL AND approved_by IS NOT NULL
            AND NOT same_person(actor, approved_by) AS judged_on_registry,
        'version ' || version_id || ' was registered after the ' || event_type AS late_failure,
        'version ' || version_id || ' was not in the registry at the time of the ' || event_type
            AS absent_failure,
        event_type || ' of ' || version_id || ' to ' || endpoint_id || ' by ' || actor
            || ', approved by ' || approved_by AS approval,
        a.event_id IS NOT NULL AS registered_at_event,
        a.observed_at AS registered_observed_at
    FROM backfill_deployment_events e
    LEFT JOIN backfill_deployed_versions_at_event a
        ON a.event_id = e.event_id AND a.created_at <= e.event_time
    WHERE is_production
        AND status = 'succeeded'
        AND event_type IN ('deploy', 'rollback')
),
judged AS (
    SELECT
        d.as_of,
        e.event_id,
        e.evidence_ref,
        e.approval,
        e.judged_on_registry,
        CASE WHEN e.registered_at_event THEN e.registered_observed_at ELSE v.observed_at END
            AS registry_observed_at,
        CASE
            WHEN e.event_failure IS NOT NULL THEN e.event_failure
            WHEN e.registered_at_event THEN NULL
            WHEN v.version IS NULL THEN 'not in registry'
            WHEN v.created_at IS NULL OR v.created_at > e.event_time THEN e.late_failure
            ELSE e.absent_failure
        END AS failure
    FROM backfill_days d
    JOIN deployment e
        ON e.event_time > d.as_of - to_hours($window_days * 24) AND e.event_time <= d.as_of
    LEFT JOIN backfill_model_versions_as_of v
        ON v.as_of = d.as_of AND v.name = e.model_name AND v.version = e.model_version
)
SELECT
    as_of AS __as_of,
    'deployment_event' AS subject_type,
    event_id AS subject_id,
    CASE WHEN failure IS NULL THEN 'pass' ELSE 'fail' END AS status,
    coalesce(failure, approval) AS reason,
    evidence_ref,
    CASE WHEN judged_on_registry THEN registry_observed_at END AS relies_on_observed_at
FROM judged
-- Without the registry a deployment cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
