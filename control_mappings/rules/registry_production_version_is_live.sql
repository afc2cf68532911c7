-- Shows an auditor that the deployment logs are complete with respect to the registry: every
-- model version the registry marks as the production one (a production alias, or the
-- Production stage) is live on a production endpoint according to the deployment logs.
-- Subject: model version marked for production in the registry at the evaluation instant;
-- none while the warehouse holds no deployment event (the logs are not there to judge).
-- Params: production_aliases (alias names, lower case), production_stage.
WITH marked AS (
    SELECT
        m.name,
        e.value AS version,
        m.name || '/' || e.value AS version_id,
        'alias ' || e.key AS marking,
        m.evidence_ref,
        m.observed_at
    FROM registered_models_as_of m, unnest(map_entries(m.aliases)) AS t(e)
    WHERE list_contains($production_aliases, lower(trim(e.key)))
    UNION ALL
    SELECT
        name,
        version,
        version_id,
        'stage ' || current_stage AS marking,
        evidence_ref,
        observed_at
    FROM model_versions_as_of
    WHERE lower(trim(current_stage)) = lower($production_stage)
),
subjects AS (
    SELECT
        version_id,
        any_value(name) AS name,
        any_value(version) AS version,
        string_agg(DISTINCT marking, ', ' ORDER BY marking) AS markings,
        min(evidence_ref) AS evidence_ref,
        max(observed_at) AS observed_at
    FROM marked
    GROUP BY version_id
),
live AS (
    SELECT
        version_id,
        string_agg(endpoint_id, ', ' ORDER BY endpoint_id) AS endpoints,
        min(deploy_evidence_ref) AS deploy_ref
    FROM live_production_versions
    GROUP BY version_id
)
SELECT
    'model_version' AS subject_type,
    s.version_id AS subject_id,
    CASE WHEN l.version_id IS NOT NULL THEN 'pass' ELSE 'fail' END AS status,
    CASE
        WHEN l.version_id IS NOT NULL THEN
            'registry marks it for production (' || s.markings || '); live on ' || l.endpoints
        ELSE 'registry marks it for production (' || s.markings
            || ') but no production endpoint has it live in the deployment logs'
    END AS reason,
    coalesce(l.deploy_ref, s.evidence_ref) AS evidence_ref,
    s.observed_at AS relies_on_observed_at
FROM subjects s
LEFT JOIN live l ON l.version_id = s.version_id
-- Without any deployment log evidence the logs cannot be judged: no rows (no_evidence).
WHERE EXISTS (SELECT 1 FROM deployment_events_as_of)
