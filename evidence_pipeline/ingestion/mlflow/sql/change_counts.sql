-- How many entries of each kind are new, changed, unchanged and deleted in this ingestion.
SELECT 'registered_models' AS entries, change, count(*) AS n
FROM changes_registered_models
GROUP BY change
UNION ALL
SELECT 'model_versions', change, count(*)
FROM changes_model_versions
GROUP BY change;
