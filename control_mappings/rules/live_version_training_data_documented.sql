-- Shows an auditor that the data each production model was built from is documented: the run
-- that produced every version live in production recorded a training dataset input with its
-- name, its source (where the data came from) and its digest (which exact data).
-- Subject: model version live in production at the evaluation instant.
-- Params: training_context (the input's mlflow.data.context, compared ignoring case).
WITH live AS (
    SELECT model_name, model_version, version_id, min(deploy_evidence_ref) AS deploy_ref
    FROM live_production_versions
    GROUP BY ALL
),
inputs AS (
    SELECT
        i.run_id,
        count(*) AS training_inputs,
        count(*) FILTER (
            WHERE nullif(trim(i.dataset_name), '') IS NOT NULL
                AND i.digest IS NOT NULL
                AND nullif(trim(i.source), '') IS NOT NULL
        ) AS documented_inputs,
        string_agg(DISTINCT trim(i.dataset_name), ', ' ORDER BY trim(i.dataset_name)) FILTER (
            WHERE nullif(trim(i.dataset_name), '') IS NOT NULL
                AND i.digest IS NOT NULL
                AND nullif(trim(i.source), '') IS NOT NULL
        ) AS documented_names
    FROM run_dataset_inputs_as_of i
    WHERE lower(trim(i.context)) = lower($training_context)
    GROUP BY i.run_id
)
SELECT
    'model_version' AS subject_type,
    l.version_id AS subject_id,
    CASE WHEN i.documented_inputs > 0 THEN 'pass' ELSE 'fail' END AS status,
    CASE
        WHEN v.version IS NULL THEN 'not in registry'
        WHEN nullif(trim(v.run_id), '') IS NULL THEN 'version has no source run'
        WHEN i.run_id IS NULL THEN
            'source run ' || v.run_id || ' recorded no dataset input with context '
            || $training_context
        WHEN i.documented_inputs = 0 THEN
            'source run ' || v.run_id || ' recorded ' || i.training_inputs
            || ' training input(s), none with name, source and digest'
        ELSE 'source run ' || v.run_id || ' recorded training data: ' || i.documented_names
    END AS reason,
    coalesce(v.evidence_ref, l.deploy_ref) AS evidence_ref,
    v.observed_at AS relies_on_observed_at
FROM live l
LEFT JOIN model_versions_as_of v ON v.name = l.model_name AND v.version = l.model_version
LEFT JOIN inputs i ON i.run_id = v.run_id
-- Without the registry a live version cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
