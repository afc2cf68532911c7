-- Rows per MLflow table: all rows (history included) and the current ones.
SELECT 'mlflow_registered_models' AS table_name, count(*) AS row_count,
    count(*) FILTER (WHERE valid_to IS NULL) AS current_rows
FROM mlflow_registered_models
UNION ALL
SELECT 'mlflow_model_versions', count(*), count(*) FILTER (WHERE valid_to IS NULL)
FROM mlflow_model_versions
UNION ALL
SELECT 'mlflow_runs', count(*), count(*) FILTER (WHERE found)
FROM mlflow_runs
UNION ALL
SELECT 'mlflow_run_dataset_inputs', count(*), count(*)
FROM mlflow_run_dataset_inputs;
