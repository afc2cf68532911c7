-- batches control_mappings/rules/live_version_has_dataset_lineage.sql sha256:ddc01e5448d74ac438899bd60578cbfc1f03265c5454c8f1afcb95b443011683
-- That rule for every day. The inputs of one run_id are all visible from the same instant
-- (when the latest run of that id started), so a run's lineage is the same on every day it is
-- visible: it is made once per run.
WITH live AS (
    SELECT
        as_of,
        model_name,
        model_version,
        version_id,
        string_agg(endpoint_id, ', ' ORDER BY endpoint_id) AS endpoints,
        min(deploy_evidence_ref) AS deploy_evidence_ref
    FROM backfill_live_production_versions
    GROUP BY as_of, model_name, model_version, version_id
),
lineage AS (
    SELECT
        run_id,
        __visible_from,
        string_agg(coalesce(dataset_name, '?') || '@' || digest, ', ' ORDER BY dataset_name, digest)
            AS datasets
    FROM backfill_run_dataset_inputs
    WHERE digest IS NOT NULL
    GROUP BY run_id, __visible_from
)
SELECT
    l.as_of AS __as_of,
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
LEFT JOIN backfill_model_versions_as_of v
    ON v.as_of = l.as_of AND v.name = l.model_name AND v.version = l.model_version
LEFT JOIN lineage d ON d.run_id = v.run_id AND d.__visible_from <= l.as_of
-- Without the registry a live version cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
