-- live_production_versions for every day of a backfill (helpers/40_live_production_versions.sql):
-- per production endpoint, the latest succeeded lifecycle event at or before each day's as_of,
-- found with an ASOF join. Events at the same instant are ordered by event_id, so only the
-- highest event_id of an endpoint's instant can be the latest.
CREATE OR REPLACE TEMP TABLE backfill_lifecycle_events AS
SELECT
    dense_rank() OVER (ORDER BY environment, endpoint) AS endpoint_key,
    *
FROM backfill_deployment_events
WHERE is_production
    AND status = 'succeeded'
    AND event_type IN ('deploy', 'rollback', 'undeploy')
    AND event_time IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY environment, endpoint, event_time ORDER BY event_id DESC
) = 1;

CREATE OR REPLACE TEMP TABLE backfill_live_production_versions AS
WITH grid AS (
    SELECT d.as_of, k.endpoint_key
    FROM backfill_days d
    CROSS JOIN (SELECT DISTINCT endpoint_key FROM backfill_lifecycle_events) k
),
latest AS (
    SELECT g.as_of, e.*
    FROM grid g
    ASOF JOIN backfill_lifecycle_events e
        ON e.endpoint_key = g.endpoint_key AND e.event_time <= g.as_of
)
SELECT
    e.as_of,
    e.environment,
    e.endpoint,
    e.endpoint_id,
    e.model_name,
    e.model_version,
    e.version_id,
    e.event_id AS deployed_event_id,
    e.event_time AS deployed_at,
    e.evidence_ref AS deploy_evidence_ref,
    EXISTS (
        SELECT 1 FROM backfill_model_versions_as_of v
        WHERE v.as_of = e.as_of AND v.name = e.model_name AND v.version = e.model_version
    ) AS in_registry
FROM latest e
WHERE e.event_type IN ('deploy', 'rollback');
