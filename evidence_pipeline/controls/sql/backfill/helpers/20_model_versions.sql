-- model_versions_as_of for every day of a backfill: the rows of
-- helpers/20_model_versions_as_of.sql, with the day's as_of first.
CREATE OR REPLACE TEMP TABLE backfill_model_versions_as_of AS
SELECT
    d.as_of,
    v.name,
    v.version,
    v.name || '/' || v.version AS version_id,
    v.tags,
    v.aliases,
    v.status,
    v.current_stage,
    v.source,
    v.run_id,
    v.user_id,
    v.created_at,
    v.valid_from,
    v.valid_to,
    v.observed_at,
    v.content_hash,
    'mlflow:model_version/' || v.name || '/' || v.version || '@'
        || strftime(v.valid_from, '%Y-%m-%dT%H:%M:%S.%fZ') || '#' || v.content_hash AS evidence_ref
FROM backfill_days d
JOIN mlflow_model_versions v
    ON v.valid_from <= d.as_of AND (v.valid_to IS NULL OR d.as_of < v.valid_to)
WHERE source_configured('mlflow')
QUALIFY row_number() OVER (
    PARTITION BY d.as_of, v.name, v.version ORDER BY v.valid_from DESC, v.observed_at DESC
) = 1;
