-- Each model version in its state at $as_of (valid_from <= as_of < valid_to); none when MLflow
-- is not configured.
CREATE OR REPLACE TEMP TABLE model_versions_as_of AS
SELECT
    name,
    version,
    name || '/' || version AS version_id,
    tags,
    aliases,
    status,
    current_stage,
    source,
    run_id,
    user_id,
    created_at,
    valid_from,
    valid_to,
    observed_at,
    content_hash,
    'mlflow:model_version/' || name || '/' || version || '@'
        || strftime(valid_from, '%Y-%m-%dT%H:%M:%S.%fZ') || '#' || content_hash AS evidence_ref
FROM mlflow_model_versions
WHERE valid_from <= $as_of AND (valid_to IS NULL OR $as_of < valid_to)
    AND source_configured('mlflow')
QUALIFY row_number() OVER (
    PARTITION BY name, version ORDER BY valid_from DESC, observed_at DESC
) = 1;
