-- Shows that every model version live in production has a model card.
WITH live AS (
    SELECT
        model_name,
        model_version,
        version_id,
        string_agg(endpoint_id, ', ' ORDER BY endpoint_id) AS endpoints,
        min(deploy_evidence_ref) AS deploy_evidence_ref
    FROM live_production_versions
    GROUP BY model_name, model_version, version_id
)
SELECT
    'model_version' AS subject_type,
    l.version_id AS subject_id,
    CASE
        WHEN v.version IS NULL THEN 'fail'
        WHEN tag_value(v.tags, $model_card_tag) IS NOT NULL THEN 'pass'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN v.version IS NULL THEN 'not in registry'
        WHEN tag_value(v.tags, $model_card_tag) IS NOT NULL
            THEN 'live on ' || l.endpoints || '; model card ' || tag_value(v.tags, $model_card_tag)
        ELSE 'live on ' || l.endpoints || '; tag ' || $model_card_tag || ' is missing or empty'
    END AS reason,
    coalesce(v.evidence_ref, l.deploy_evidence_ref) AS evidence_ref,
    v.observed_at AS relies_on_observed_at
FROM live l
LEFT JOIN model_versions_as_of v ON v.name = l.model_name AND v.version = l.model_version
-- Without the registry a live version cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
