-- batches control_mappings/rules/reported_concern_followed_up.sql sha256:8484c52d411f8a9f0594bf1dff848648133e56448196da48442edee9ecc94853
-- That rule for every day. A concern's first follow-up among the events at or before as_of is
-- its first follow-up of all when that one is at or before as_of, and there is none otherwise;
-- so it is found once per concern, then judged for each day.
WITH concern AS (
    SELECT
        event_id,
        event_time,
        nullif(trim(incident_id), '') AS case_id,
        evidence_ref,
        event_time + to_hours($response_days * 24) AS deadline
    FROM backfill_deployment_events
    WHERE event_type = 'concern_reported'
),
first_follow_up AS (
    SELECT
        c.event_id,
        min(f.event_time) AS followed_up_at,
        arg_min(f.event_type, f.event_time) AS follow_up_type,
        arg_min(f.evidence_ref, f.event_time) AS follow_up_ref
    FROM concern c
    JOIN backfill_deployment_events f
        ON trim(f.incident_id) = c.case_id
        AND f.event_id <> c.event_id
        AND f.event_type <> 'concern_reported'
        AND f.status = 'succeeded'
        AND f.event_time >= c.event_time
    GROUP BY c.event_id
),
daily AS (
    SELECT
        d.as_of,
        c.*,
        CASE WHEN f.followed_up_at <= d.as_of THEN f.followed_up_at END AS followed_up_at,
        CASE WHEN f.followed_up_at <= d.as_of THEN f.follow_up_type END AS follow_up_type,
        CASE WHEN f.followed_up_at <= d.as_of THEN f.follow_up_ref END AS follow_up_ref
    FROM backfill_days d
    JOIN concern c
        ON c.event_time > d.as_of - to_hours($window_days * 24) AND c.event_time <= d.as_of
    LEFT JOIN first_follow_up f ON f.event_id = c.event_id
)
SELECT
    as_of AS __as_of,
    'deployment_event' AS subject_type,
    event_id AS subject_id,
    CASE
        WHEN followed_up_at <= deadline THEN 'pass'
        WHEN followed_up_at IS NULL AND deadline > as_of THEN 'not_applicable'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN followed_up_at <= deadline THEN
            'followed up by ' || follow_up_type || ' on case ' || case_id || ' at '
            || strftime(followed_up_at, '%Y-%m-%dT%H:%M:%SZ')
        WHEN followed_up_at IS NOT NULL THEN
            'followed up by ' || follow_up_type || ' on case ' || case_id || ' at '
            || strftime(followed_up_at, '%Y-%m-%dT%H:%M:%SZ') || ', after the '
            || $response_days || '-day response period'
        WHEN deadline > as_of THEN
            'reported ' || strftime(event_time, '%Y-%m-%dT%H:%M:%SZ') || '; the '
            || $response_days || '-day response period has not ended'
        WHEN case_id IS NULL THEN
            'concern carries no case reference (incident_id) and no follow-up was recorded within '
            || $response_days || ' days'
        ELSE 'no follow-up event on case ' || case_id || ' within ' || $response_days || ' days'
    END AS reason,
    coalesce(follow_up_ref, evidence_ref) AS evidence_ref
FROM daily
