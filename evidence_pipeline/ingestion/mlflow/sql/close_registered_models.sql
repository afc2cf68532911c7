-- End the validity of the current rows of changed and deleted registered models (when the
-- classification says: now, or when a deleted model was created again).
UPDATE mlflow_registered_models AS t
SET valid_to = ch.current_valid_to
FROM changes_registered_models AS ch
WHERE t.valid_to IS NULL
    AND t.name = ch.name
    AND ch.change IN ('changed', 'deleted');
