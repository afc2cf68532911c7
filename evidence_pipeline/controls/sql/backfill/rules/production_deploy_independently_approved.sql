-- batches control_mappings/rules/production_deploy_independently_approved.sql sha256:3f39915ba06a243a08336df0323c3d75554b0b5474de8449e0f8566e508eb773
-- That rule for every day. What an event says of who acted and who approved does not depend
-- on as_of, nor does the registry entry as it stood at the event's time (an entry valid then
-- has valid_from <= event_time <= as_of): both are read once per event; the registry as of
-- the day is read, for the reason of a failure, for each day whose window holds the event.
WITH deployment AS (
    SELECT
        event_id,
        event_time,
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
            || ', approved by ' || approved_by AS approval
    FROM backfill_deployment_events
    WHERE is_production
        AND status = 'succeeded'
        AND event_type IN ('deploy', 'rollback')
),
registered_at_event AS (
    -- the rule's join on deployed_versions_at_event, made once per event from the registry
    -- rows themselves: read from backfill_deployed_versions_at_event, the 2 million rows of
    -- this query overran DuckDB's memory limit in a full-scale backfill (a different plan)
    SELECT
        d.event_id,
        v.observed_at
    FROM deployment d
    JOIN mlflow_model_versions v
        ON v.name = d.model_name AND v.version = d.model_version
        AND v.valid_from <= d.event_time AND (v.valid_to IS NULL OR d.event_time < v.valid_to)
    WHERE v.created_at <= d.event_time
    QUALIFY row_number() OVER (
        PARTITION BY d.event_id ORDER BY v.valid_from DESC, v.observed_at DESC
    ) = 1
),
judged AS (
    SELECT
        d.as_of,
        e.event_id,
        e.evidence_ref,
        e.approval,
        e.judged_on_registry,
        CASE WHEN a.event_id IS NOT NULL THEN a.observed_at ELSE v.observed_at END
            AS registry_observed_at,
        CASE
            WHEN e.event_failure IS NOT NULL THEN e.event_failure
            WHEN a.event_id IS NOT NULL THEN NULL
            WHEN v.version IS NULL THEN 'not in registry'
            WHEN v.created_at IS NULL OR v.created_at > e.event_time THEN e.late_failure
            ELSE e.absent_failure
        END AS failure
    FROM backfill_days d
    JOIN deployment e
        ON e.event_time > d.as_of - to_hours($window_days * 24) AND e.event_time <= d.as_of
    LEFT JOIN registered_at_event a ON a.event_id = e.event_id
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
