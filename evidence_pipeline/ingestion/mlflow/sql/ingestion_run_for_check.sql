-- The MLflow ingestion row of a Dagster run (else the latest one), with the rows the warehouse
-- holds for it, for the records-add-up check.
WITH chosen AS (
    SELECT ingestion_id, status, records_read, rows_landed, quarantined, skipped
    FROM ingestion_runs
    WHERE source = 'mlflow'
    ORDER BY (run_id IS NOT DISTINCT FROM $run_id) DESC, started_at DESC
    LIMIT 1
)
SELECT
    c.ingestion_id, c.status, c.records_read, c.rows_landed, c.quarantined, c.skipped,
    (SELECT count(*) FROM mlflow_registered_models AS t WHERE t.ingestion_id = c.ingestion_id)
    + (SELECT count(*) FROM mlflow_model_versions AS t WHERE t.ingestion_id = c.ingestion_id)
    + (SELECT count(*) FROM mlflow_runs AS t WHERE t.ingestion_id = c.ingestion_id AND t.found)
        AS rows_in_tables,
    (SELECT count(*) FROM quarantine AS q WHERE q.ingestion_id = c.ingestion_id)
        AS rows_in_quarantine
FROM chosen AS c;
