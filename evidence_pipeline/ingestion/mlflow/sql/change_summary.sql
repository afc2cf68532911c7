-- What this ingestion changed, for the people reading the materialisation: one row per entry
-- that is new, changed or deleted.
SELECT 'registered model' AS entry, name AS subject, change
FROM changes_registered_models
WHERE change <> 'unchanged'
UNION ALL
SELECT 'model version', name || '/' || version, change
FROM changes_model_versions
WHERE change <> 'unchanged'
ORDER BY entry DESC, subject
LIMIT $row_limit;
