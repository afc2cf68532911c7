-- Shows an auditor that every concern reported about an AI system in the window was followed
-- up in time: a later event carries the concern's case reference (incident_id), e.g. the
-- incident it was triaged into, within the response period.
-- Subject: concern_reported event reported within the last window_days days.
-- Params: window_days, response_days.
WITH concerns AS (
    SELECT
        event_id,
        event_time,
        nullif(trim(incident_id), '') AS case_id,
        evidence_ref,
        event_time + to_hours($response_days * 24) AS deadline
    FROM deployment_events_as_of
    WHERE event_type = 'concern_reported'
        AND event_time > $as_of - to_hours($window_days * 24)
        AND event_time <= $as_of
),
first_follow_up AS (
    SELECT
        c.event_id,
        min(f.event_time) AS followed_up_at,
        arg_min(f.event_type, f.event_time) AS follow_up_type,
        arg_min(f.evidence_ref, f.event_time) AS follow_up_ref
    FROM concerns c
    JOIN deployment_events_as_of f
        ON trim(f.incident_id) = c.case_id
        AND f.event_id <> c.event_id
        AND f.event_type <> 'concern_reported'
        AND f.status = 'succeeded'
        AND f.event_time >= c.event_time
    GROUP BY c.event_id
)
SELECT
    'deployment_event' AS subject_type,
    c.event_id AS subject_id,
    CASE
        WHEN f.followed_up_at <= c.deadline THEN 'pass'
        WHEN f.followed_up_at IS NULL AND c.deadline > $as_of THEN 'not_applicable'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN f.followed_up_at <= c.deadline THEN
            'followed up by ' || f.follow_up_type || ' on case ' || c.case_id || ' at '
            || strftime(f.followed_up_at, '%Y-%m-%dT%H:%M:%SZ')
        WHEN f.followed_up_at IS NOT NULL THEN
            'followed up by ' || f.follow_up_type || ' on case ' || c.case_id || ' at '
            || strftime(f.followed_up_at, '%Y-%m-%dT%H:%M:%SZ') || ', after the '
            || $response_days || '-day response period'
        WHEN c.deadline > $as_of THEN
            'reported ' || strftime(c.event_time, '%Y-%m-%dT%H:%M:%SZ') || '; the '
            || $response_days || '-day response period has not ended'
        WHEN c.case_id IS NULL THEN
            'concern carries no case reference (incident_id) and no follow-up was recorded within '
            || $response_days || ' days'
        ELSE 'no follow-up event on case ' || c.case_id || ' within ' || $response_days || ' days'
    END AS reason,
    coalesce(f.follow_up_ref, c.evidence_ref) AS evidence_ref
FROM concerns c
LEFT JOIN first_follow_up f ON f.event_id = c.event_id
