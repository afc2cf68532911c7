-- The deployment-log ingestion of a Dagster run (else the latest one), with the rows the
-- warehouse holds for it, for the records-add-up check.
SELECT
    runs.ingestion_id,
    runs.status,
    runs.records_read,
    runs.rows_landed,
    runs.quarantined,
    runs.skipped,
    (SELECT count(*) FROM deployment_events AS e WHERE e.ingestion_id = runs.ingestion_id)
        AS rows_in_warehouse,
    (SELECT count(*) FROM quarantine AS q WHERE q.ingestion_id = runs.ingestion_id)
        AS rows_in_quarantine
FROM ingestion_runs AS runs
WHERE runs.source = $source
ORDER BY (runs.run_id IS NOT DISTINCT FROM $run_id) DESC, runs.started_at DESC
LIMIT 1;
