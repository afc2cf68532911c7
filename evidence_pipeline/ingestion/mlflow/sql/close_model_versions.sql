-- End the validity of the current rows of changed and deleted model versions (when the
-- classification says: now, or when a deleted version was created again).
UPDATE mlflow_model_versions AS t
SET valid_to = ch.current_valid_to
FROM changes_model_versions AS ch
WHERE t.valid_to IS NULL
    AND t.name = ch.name
    AND t.version = ch.version
    AND ch.change IN ('changed', 'deleted');
