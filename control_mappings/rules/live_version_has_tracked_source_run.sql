-- Shows an auditor that every production model came out of the tracked development process:
-- each version live in production was produced by an MLflow run that had finished by the
-- evaluation instant and recorded its parameters and metrics.
-- Subject: model version live in production at the evaluation instant.
-- Params: none beyond the evaluation instant.
WITH live AS (
    SELECT model_name, model_version, version_id, min(deploy_evidence_ref) AS deploy_ref
    FROM live_production_versions
    GROUP BY ALL
),
checked AS (
    SELECT
        l.version_id,
        coalesce(v.evidence_ref, l.deploy_ref) AS evidence_ref,
        v.observed_at,
        v.version IS NOT NULL AS in_registry,
        nullif(trim(v.run_id), '') AS run_id,
        r.run_id IS NOT NULL AS run_known,
        lower(trim(r.status)) = 'finished'
            AND (r.end_time IS NULL OR r.end_time <= $as_of) AS finished,
        r.status AS run_status,
        r.end_time AS run_end_time,
        coalesce(cardinality(r.params), 0) AS param_count,
        coalesce(cardinality(r.metrics), 0) AS metric_count
    FROM live l
    LEFT JOIN model_versions_as_of v ON v.name = l.model_name AND v.version = l.model_version
    LEFT JOIN mlflow_runs_as_of r ON r.run_id = nullif(trim(v.run_id), '')
)
SELECT
    'model_version' AS subject_type,
    version_id AS subject_id,
    CASE
        WHEN finished AND param_count > 0 AND metric_count > 0 THEN 'pass'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN NOT in_registry THEN 'not in registry'
        WHEN run_id IS NULL THEN 'version was not registered from a tracked run'
        WHEN NOT run_known THEN 'source run ' || run_id || ' is not in the warehouse'
        WHEN lower(trim(run_status)) = 'finished' AND run_end_time > $as_of THEN
            'source run ' || run_id || ' finished only at '
            || strftime(run_end_time, '%Y-%m-%dT%H:%M:%SZ') || ', after the evaluation instant'
        WHEN NOT coalesce(finished, false) THEN
            'source run ' || run_id || ' had not finished (status '
            || coalesce(lower(run_status), 'unknown') || ')'
        WHEN param_count = 0 AND metric_count = 0 THEN
            'source run ' || run_id || ' recorded no parameters and no metrics'
        WHEN param_count = 0 THEN 'source run ' || run_id || ' recorded no parameters'
        WHEN metric_count = 0 THEN 'source run ' || run_id || ' recorded no metrics'
        ELSE 'source run ' || run_id || ' finished with ' || param_count || ' parameter(s) and '
            || metric_count || ' metric(s)'
    END AS reason,
    evidence_ref,
    observed_at AS relies_on_observed_at
FROM checked
-- Without the registry a live version cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
