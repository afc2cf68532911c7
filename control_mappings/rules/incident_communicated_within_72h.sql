-- Shows that every incident first opened in the last $window_days days was communicated
-- within $deadline_hours hours of opening.
WITH opened AS (
    SELECT incident_id, min(event_time) AS opened_at, arg_min(evidence_ref, event_time) AS evidence_ref
    FROM deployment_events_as_of
    WHERE event_type = 'incident_opened' AND nullif(trim(incident_id), '') IS NOT NULL
    GROUP BY incident_id
),
incident AS (
    SELECT *, opened_at + to_hours($deadline_hours) AS deadline
    FROM opened
    WHERE opened_at > $as_of - to_hours($window_days * 24)
),
communication AS (
    SELECT i.incident_id, min(c.event_time) AS communicated_at
    FROM incident i
    JOIN deployment_events_as_of c
        ON c.incident_id = i.incident_id
        AND c.event_type = 'incident_communicated'
        AND c.status = 'succeeded'
        AND c.event_time <= i.deadline
    GROUP BY i.incident_id
)
SELECT
    'incident' AS subject_type,
    i.incident_id AS subject_id,
    CASE
        WHEN c.communicated_at IS NOT NULL THEN 'pass'
        WHEN $as_of < i.deadline THEN 'not_applicable'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN c.communicated_at IS NOT NULL
            THEN 'communicated ' || CAST(round(epoch(c.communicated_at - i.opened_at) / 3600, 1) AS VARCHAR)
                || ' hours after opening'
        WHEN $as_of < i.deadline
            THEN 'not communicated yet; deadline ' || strftime(i.deadline, '%Y-%m-%dT%H:%M:%SZ')
                || ' has not passed'
        ELSE 'not communicated within ' || CAST($deadline_hours AS VARCHAR) || ' hours of opening at '
            || strftime(i.opened_at, '%Y-%m-%dT%H:%M:%SZ')
    END AS reason,
    i.evidence_ref,
    CAST(NULL AS TIMESTAMPTZ) AS relies_on_observed_at
FROM incident i
LEFT JOIN communication c ON c.incident_id = i.incident_id
