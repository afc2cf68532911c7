-- batches control_mappings/rules/registry_production_version_is_live.sql sha256:9d0d4311839d48d931b69877c52b1ff0402638f01525e0f1c4c18a8237328131
-- That rule for every day. Some deployment event is at or before as_of exactly when the
-- earliest one is.
WITH marked AS (
    SELECT
        m.as_of,
        m.name,
        e.value AS version,
        m.name || '/' || e.value AS version_id,
        'alias ' || e.key AS marking,
        m.evidence_ref,
        m.observed_at
    FROM backfill_registered_models_as_of m, unnest(map_entries(m.aliases)) AS t(e)
    WHERE list_contains($production_aliases, lower(trim(e.key)))
    UNION ALL
    SELECT
        as_of,
        name,
        version,
        version_id,
        'stage ' || current_stage AS marking,
        evidence_ref,
        observed_at
    FROM backfill_model_versions_as_of
    WHERE lower(trim(current_stage)) = lower($production_stage)
),
subjects AS (
    SELECT
        as_of,
        version_id,
        any_value(name) AS name,
        any_value(version) AS version,
        string_agg(DISTINCT marking, ', ' ORDER BY marking) AS markings,
        min(evidence_ref) AS evidence_ref,
        max(observed_at) AS observed_at
    FROM marked
    GROUP BY as_of, version_id
),
live AS (
    SELECT
        as_of,
        version_id,
        string_agg(endpoint_id, ', ' ORDER BY endpoint_id) AS endpoints,
        min(deploy_evidence_ref) AS deploy_ref
    FROM backfill_live_production_versions
    GROUP BY as_of, version_id
)
SELECT
    s.as_of AS __as_of,
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
LEFT JOIN live l ON l.as_of = s.as_of AND l.version_id = s.version_id
WHERE s.as_of >= (SELECT min(event_time) FROM backfill_deployment_events)
