-- batches control_mappings/rules/live_version_training_data_documented.sql sha256:390cfdd00c3b7d2a55a89dd07b31437def45cd83eee766f691e423cfc3359b92
-- That rule for every day. The inputs of one run_id are all visible from the same instant
-- (when the latest run of that id started), so what a run documents is the same on every day
-- it is visible: it is counted once per run.
WITH live AS (
    SELECT as_of, model_name, model_version, version_id, min(deploy_evidence_ref) AS deploy_ref
    FROM backfill_live_production_versions
    GROUP BY ALL
),
inputs AS (
    SELECT
        i.run_id,
        i.__visible_from,
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
    FROM backfill_run_dataset_inputs i
    WHERE lower(trim(i.context)) = lower($training_context)
    GROUP BY i.run_id, i.__visible_from
)
SELECT
    l.as_of AS __as_of,
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
LEFT JOIN backfill_model_versions_as_of v
    ON v.as_of = l.as_of AND v.name = l.model_name AND v.version = l.model_version
LEFT JOIN inputs i ON i.run_id = v.run_id AND i.__visible_from <= l.as_of
-- Without the registry a live version cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
