-- Shows that every production endpoint serving a model had a succeeded monitoring check in
-- the $max_age_hours hours before as_of.
WITH endpoint AS (
    SELECT environment, endpoint, endpoint_id, deploy_evidence_ref
    FROM live_production_versions
),
latest_check AS (
    SELECT endpoint_id, event_id, event_time, evidence_ref
    FROM deployment_events_as_of
    WHERE event_type = 'monitoring_check' AND status = 'succeeded'
    QUALIFY row_number() OVER (PARTITION BY endpoint_id ORDER BY event_time DESC, event_id DESC) = 1
)
SELECT
    'endpoint' AS subject_type,
    e.endpoint_id AS subject_id,
    CASE
        WHEN c.event_id IS NULL THEN 'fail'
        WHEN c.event_time > $as_of - to_hours($max_age_hours) THEN 'pass'
        ELSE 'stale'
    END AS status,
    CASE
        WHEN c.event_id IS NULL THEN 'no succeeded monitoring check recorded'
        WHEN c.event_time > $as_of - to_hours($max_age_hours)
            THEN 'last monitoring check ' || c.event_id || ' at ' || strftime(c.event_time, '%Y-%m-%dT%H:%M:%SZ')
        ELSE 'last monitoring check ' || c.event_id || ' at ' || strftime(c.event_time, '%Y-%m-%dT%H:%M:%SZ')
            || ' is older than ' || CAST($max_age_hours AS VARCHAR) || ' hours'
    END AS reason,
    -- with no check to point at, the deploy that put the endpoint's version live
    coalesce(c.evidence_ref, e.deploy_evidence_ref) AS evidence_ref,
    CAST(NULL AS TIMESTAMPTZ) AS relies_on_observed_at
FROM endpoint e
LEFT JOIN latest_check c ON c.endpoint_id = e.endpoint_id
