-- Each registered model in its state at $as_of (valid_from <= as_of < valid_to); none when
-- MLflow is not configured.
CREATE OR REPLACE TEMP TABLE registered_models_as_of AS
SELECT
    name,
    description,
    tags,
    aliases,
    created_at,
    valid_from,
    valid_to,
    observed_at,
    content_hash,
    'mlflow:registered_model/' || name || '@' || strftime(valid_from, '%Y-%m-%dT%H:%M:%S.%fZ')
        || '#' || content_hash AS evidence_ref
FROM mlflow_registered_models
WHERE valid_from <= $as_of AND (valid_to IS NULL OR $as_of < valid_to)
    AND source_configured('mlflow')
QUALIFY row_number() OVER (PARTITION BY name ORDER BY valid_from DESC, observed_at DESC) = 1;
