-- batches control_mappings/rules/live_endpoint_monitored.sql sha256:b14711f0950ec21c1b91ffc4480a49d0c1cc5f832c38f51103e5f81c86bdc788
-- That rule for every day: each day's latest succeeded check of an endpoint is found with an
-- ASOF join (only the highest event_id of an endpoint's instant can be the latest).
WITH check_event AS (
    SELECT endpoint_id, event_id, event_time, evidence_ref
    FROM backfill_deployment_events
    WHERE event_type = 'monitoring_check' AND status = 'succeeded'
        AND event_time IS NOT NULL AND endpoint_id IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY endpoint_id, event_time ORDER BY event_id DESC) = 1
),
judged AS (
    SELECT
        e.as_of,
        e.endpoint_id,
        e.deploy_evidence_ref,
        c.event_id,
        c.event_time,
        c.evidence_ref
    FROM backfill_live_production_versions e
    ASOF LEFT JOIN check_event c
        ON c.endpoint_id = e.endpoint_id AND c.event_time <= e.as_of
)
SELECT
    as_of AS __as_of,
    'endpoint' AS subject_type,
    endpoint_id AS subject_id,
    CASE
        WHEN event_id IS NULL THEN 'fail'
        WHEN event_time > as_of - to_hours($max_age_hours) THEN 'pass'
        ELSE 'stale'
    END AS status,
    CASE
        WHEN event_id IS NULL THEN 'no succeeded monitoring check recorded'
        WHEN event_time > as_of - to_hours($max_age_hours)
            THEN 'last monitoring check ' || event_id || ' at ' || strftime(event_time, '%Y-%m-%dT%H:%M:%SZ')
        ELSE 'last monitoring check ' || event_id || ' at ' || strftime(event_time, '%Y-%m-%dT%H:%M:%SZ')
            || ' is older than ' || CAST($max_age_hours AS VARCHAR) || ' hours'
    END AS reason,
    coalesce(evidence_ref, deploy_evidence_ref) AS evidence_ref,
    CAST(NULL AS TIMESTAMPTZ) AS relies_on_observed_at
FROM judged
