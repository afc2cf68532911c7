-- Shows an auditor that the tooling behind each production model is identifiable: the run
-- that produced every version live in production recorded the version of the code that
-- trained it (one of the configured run tags, e.g. the git commit MLflow records).
-- Subject: model version live in production at the evaluation instant.
-- Params: code_version_tags (run tag keys; any one set is enough).
WITH live AS (
    SELECT model_name, model_version, version_id, min(deploy_evidence_ref) AS deploy_ref
    FROM live_production_versions
    GROUP BY ALL
),
recorded AS (
    SELECT
        r.run_id,
        list_filter(
            list_transform($code_version_tags, lambda k: k || '=' || tag_value(r.tags, k)),
            lambda x: x IS NOT NULL
        ) AS found
    FROM mlflow_runs_as_of r
)
SELECT
    'model_version' AS subject_type,
    l.version_id AS subject_id,
    CASE WHEN len(c.found) > 0 THEN 'pass' ELSE 'fail' END AS status,
    CASE
        WHEN v.version IS NULL THEN 'not in registry'
        WHEN nullif(trim(v.run_id), '') IS NULL THEN 'version has no source run'
        WHEN c.run_id IS NULL THEN 'source run ' || v.run_id || ' is not in the warehouse'
        WHEN len(c.found) = 0 THEN
            'source run ' || v.run_id || ' has none of the tags '
            || array_to_string($code_version_tags, ', ')
        ELSE 'source run ' || v.run_id || ' recorded ' || array_to_string(c.found, ', ')
    END AS reason,
    coalesce(v.evidence_ref, l.deploy_ref) AS evidence_ref,
    v.observed_at AS relies_on_observed_at
FROM live l
LEFT JOIN model_versions_as_of v ON v.name = l.model_name AND v.version = l.model_version
LEFT JOIN recorded c ON c.run_id = v.run_id
-- Without the registry a live version cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
