-- batches control_mappings/rules/incident_communicated_within_72h.sql sha256:5ae7145abc73716f1917e2dbfd8361125de486ed29b227077f52676cd2a7ca3f
-- That rule for every day. An incident's earliest opening among the events at or before as_of
-- is its earliest opening of all once that one is at or before as_of; its first succeeded
-- communication by the deadline among those events is the first of all when that one is at or
-- before as_of, and there is none otherwise. Both are found once, then judged for each day.
WITH opened AS (
    SELECT incident_id, min(event_time) AS opened_at, arg_min(evidence_ref, event_time) AS evidence_ref
    FROM backfill_deployment_events
    WHERE event_type = 'incident_opened' AND nullif(trim(incident_id), '') IS NOT NULL
    GROUP BY incident_id
),
incident AS (
    SELECT *, opened_at + to_hours($deadline_hours) AS deadline
    FROM opened
),
communication AS (
    SELECT i.incident_id, min(c.event_time) AS communicated_at
    FROM incident i
    JOIN backfill_deployment_events c
        ON c.incident_id = i.incident_id
        AND c.event_type = 'incident_communicated'
        AND c.status = 'succeeded'
        AND c.event_time <= i.deadline
    GROUP BY i.incident_id
),
daily AS (
    SELECT
        d.as_of,
        i.*,
        CASE WHEN c.communicated_at <= d.as_of THEN c.communicated_at END AS communicated_at
    FROM backfill_days d
    JOIN incident i
        ON i.opened_at > d.as_of - to_hours($window_days * 24) AND i.opened_at <= d.as_of
    LEFT JOIN communication c ON c.incident_id = i.incident_id
)
SELECT
    as_of AS __as_of,
    'incident' AS subject_type,
    incident_id AS subject_id,
    CASE
        WHEN communicated_at IS NOT NULL THEN 'pass'
        WHEN as_of < deadline THEN 'not_applicable'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN communicated_at IS NOT NULL
            THEN 'communicated ' || CAST(round(epoch(communicated_at - opened_at) / 3600, 1) AS VARCHAR)
                || ' hours after opening'
        WHEN as_of < deadline
            THEN 'not communicated yet; deadline ' || strftime(deadline, '%Y-%m-%dT%H:%M:%SZ')
                || ' has not passed'
        ELSE 'not communicated within ' || CAST($deadline_hours AS VARCHAR) || ' hours of opening at '
            || strftime(opened_at, '%Y-%m-%dT%H:%M:%SZ')
    END AS reason,
    evidence_ref,
    CAST(NULL AS TIMESTAMPTZ) AS relies_on_observed_at
FROM daily
