-- Shows that every model version live in production was trained by a run that recorded its
-- dataset inputs with their digests, so the data it learnt from can be traced.
WITH live AS (
    SELECT
        model_name,
        model_version,
        version_id,
        string_agg(endpoint_id, ', ' ORDER BY endpoint_id) AS endpoints,
        min(deploy_evidence_ref) AS deploy_evidence_ref
    FROM live_production_versions
    GROUP BY model_name, model_version, version_id
),
lineage AS (
    SELECT
        run_id,
        string_agg(coalesce(dataset_name, '?') || '@' || digest, ', ' ORDER BY dataset_name, digest)
            AS datasets
    FROM run_dataset_inputs_as_of
    WHERE digest IS NOT NULL
    GROUP BY run_id
)
SELECT
    'model_version' AS subject_type,
    l.version_id AS subject_id,
    CASE WHEN d.datasets IS NOT NULL THEN 'pass' ELSE 'fail' END AS status,
    CASE
        WHEN v.version IS NULL THEN 'not in registry'
        WHEN nullif(trim(v.run_id), '') IS NULL THEN 'no source run recorded for this version'
        WHEN d.datasets IS NULL
            THEN 'source run ' || v.run_id || ' records no dataset input with a digest'
        ELSE 'source run ' || v.run_id || ' used ' || d.datasets
    END AS reason,
    coalesce(v.evidence_ref, l.deploy_evidence_ref) AS evidence_ref,
    v.observed_at AS relies_on_observed_at
FROM live l
LEFT JOIN model_versions_as_of v ON v.name = l.model_name AND v.version = l.model_version
LEFT JOIN lineage d ON d.run_id = v.run_id
-- Without the registry a live version cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
