-- registered_models_as_of for every day of a backfill (backfill_days): the rows of
-- helpers/10_registered_models_as_of.sql, with the day's as_of first.
CREATE OR REPLACE TEMP TABLE backfill_registered_models_as_of AS
SELECT
    d.as_of,
    m.name,
    m.description,
    m.tags,
    m.aliases,
    m.created_at,
    m.valid_from,
    m.valid_to,
    m.observed_at,
    m.content_hash,
    'mlflow:registered_model/' || m.name || '@'
        || strftime(m.valid_from, '%Y-%m-%dT%H:%M:%S.%fZ') || '#' || m.content_hash AS evidence_ref
FROM backfill_days d
JOIN mlflow_registered_models m
    ON m.valid_from <= d.as_of AND (m.valid_to IS NULL OR d.as_of < m.valid_to)
WHERE source_configured('mlflow')
QUALIFY row_number() OVER (
    PARTITION BY d.as_of, m.name ORDER BY m.valid_from DESC, m.observed_at DESC
) = 1;
