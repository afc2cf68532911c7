-- The model version live on each production endpoint at $as_of (evidence-model.md, section 5):
-- the latest succeeded deploy or rollback, unless a succeeded undeploy of the endpoint comes
-- after it; events at the same instant are ordered by event_id.
CREATE OR REPLACE TEMP TABLE live_production_versions AS
WITH latest_lifecycle_event AS (
    SELECT *
    FROM deployment_events_as_of
    WHERE is_production
        AND status = 'succeeded'
        AND event_type IN ('deploy', 'rollback', 'undeploy')
    QUALIFY row_number() OVER (
        PARTITION BY environment, endpoint ORDER BY event_time DESC, event_id DESC
    ) = 1
)
SELECT
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
        SELECT 1 FROM model_versions_as_of v
        WHERE v.name = e.model_name AND v.version = e.model_version
    ) AS in_registry
FROM latest_lifecycle_event e
WHERE e.event_type IN ('deploy', 'rollback');
