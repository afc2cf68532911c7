-- Every deployment event normalised as helpers/30_deployment_events_as_of.sql does, once for
-- the whole backfill; a day's deployment_events_as_of is its rows with event_time <= as_of.
CREATE OR REPLACE TEMP TABLE backfill_deployment_events AS
WITH normalised AS (
    SELECT
        event_id,
        event_time,
        lower(trim(event_type)) AS event_type,
        lower(trim(coalesce(status, 'succeeded'))) AS status,
        lower(trim(environment)) AS environment,
        coalesce(nullif(trim(endpoint), ''), model_name) AS endpoint,
        model_name,
        model_version,
        nullif(trim(actor), '') AS actor,
        nullif(trim(approved_by), '') AS approved_by,
        change_ticket,
        incident_id,
        details,
        source_uri || coalesce(':' || source_line, '') || '#' || content_hash AS evidence_ref
    FROM deployment_events
    WHERE event_time <= (SELECT max(as_of) FROM backfill_days)
        AND source_configured('deploy_logs')
)
SELECT
    event_id,
    event_time,
    event_type,
    status,
    environment,
    endpoint,
    environment || '/' || endpoint AS endpoint_id,
    coalesce(list_contains(CAST($production_environments AS VARCHAR[]), environment), false) AS is_production,
    model_name,
    model_version,
    model_name || '/' || model_version AS version_id,
    actor,
    approved_by,
    change_ticket,
    incident_id,
    details,
    evidence_ref
FROM normalised;
