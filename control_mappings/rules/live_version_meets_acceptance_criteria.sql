-- Shows an auditor that every production model meets the acceptance criteria specified for
-- it: the model (or the version) names an acceptance metric and threshold, and the run that
-- produced the version live in production logged that metric at or beyond the threshold.
-- Subject: model version live in production at the evaluation instant.
-- Params: metric_tag, threshold_tag, direction_tag (value at_least, the default, or
-- at_most). A tag on the version overrides the same tag on the registered model.
WITH live AS (
    SELECT model_name, model_version, version_id, min(deploy_evidence_ref) AS deploy_ref
    FROM live_production_versions
    GROUP BY ALL
),
criteria AS (
    SELECT
        l.version_id,
        v.version IS NOT NULL AS in_registry,
        nullif(trim(v.run_id), '') AS run_id,
        coalesce(v.evidence_ref, l.deploy_ref) AS evidence_ref,
        greatest(v.observed_at, m.observed_at) AS observed_at,
        coalesce(tag_value(v.tags, $metric_tag), tag_value(m.tags, $metric_tag)) AS metric,
        coalesce(tag_value(v.tags, $threshold_tag), tag_value(m.tags, $threshold_tag))
            AS threshold_text,
        lower(coalesce(
            tag_value(v.tags, $direction_tag), tag_value(m.tags, $direction_tag), 'at_least'
        )) AS direction
    FROM live l
    LEFT JOIN model_versions_as_of v ON v.name = l.model_name AND v.version = l.model_version
    LEFT JOIN registered_models_as_of m ON m.name = l.model_name
),
measured AS (
    SELECT
        c.*,
        try_cast(c.threshold_text AS DOUBLE) AS threshold,
        r.run_id IS NOT NULL AS run_known,
        r.metrics[c.metric] AS value
    FROM criteria c
    LEFT JOIN mlflow_runs_as_of r ON r.run_id = c.run_id
),
judged AS (
    SELECT
        *,
        CASE direction
            WHEN 'at_least' THEN value >= threshold
            WHEN 'at_most' THEN value <= threshold
        END AS met,
        CASE direction WHEN 'at_most' THEN ' <= ' ELSE ' >= ' END AS op
    FROM measured
)
SELECT
    'model_version' AS subject_type,
    version_id AS subject_id,
    CASE WHEN coalesce(met, false) THEN 'pass' ELSE 'fail' END AS status,
    CASE
        WHEN NOT in_registry THEN 'not in registry'
        WHEN metric IS NULL OR threshold_text IS NULL THEN
            'no acceptance criteria recorded (' || $metric_tag || ', ' || $threshold_tag || ')'
        WHEN threshold IS NULL THEN
            $threshold_tag || ' ''' || threshold_text || ''' is not a number'
        WHEN direction NOT IN ('at_least', 'at_most') THEN
            $direction_tag || ' ''' || direction || ''' is neither at_least nor at_most'
        WHEN run_id IS NULL THEN 'version was not registered from a tracked run'
        WHEN NOT run_known THEN 'source run ' || run_id || ' is not in the warehouse'
        WHEN value IS NULL THEN 'source run ' || run_id || ' did not log metric ' || metric
        WHEN met THEN metric || ' = ' || value || op || threshold_text
        ELSE metric || ' = ' || value || ' does not meet' || op || threshold_text
    END AS reason,
    evidence_ref,
    observed_at AS relies_on_observed_at
FROM judged
-- Without the registry a live version cannot be judged: no rows when MLflow is not configured.
WHERE source_configured('mlflow')
