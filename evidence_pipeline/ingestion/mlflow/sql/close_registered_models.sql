-- End the validity of the current rows of changed and deleted registered models.
UPDATE mlflow_registered_models AS t
SET valid_to = $observed_at
FROM changes_registered_models AS ch
WHERE t.valid_to IS NULL
    AND t.name = ch.name
    AND ch.change IN ('changed', 'deleted');
