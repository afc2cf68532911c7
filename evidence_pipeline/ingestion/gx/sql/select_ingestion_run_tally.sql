-- The recorded accounting of a GX ingestion (the one of the given Dagster run, else the
-- latest), with what the warehouse actually holds for it.
SELECT
    runs.ingestion_id,
    runs.status,
    runs.records_read,
    runs.rows_landed,
    runs.quarantined,
    runs.skipped,
    (SELECT count(*) FROM gx_validations AS v WHERE v.ingestion_id = runs.ingestion_id)
        AS rows_in_warehouse,
    (SELECT count(*) FROM quarantine AS q WHERE q.ingestion_id = runs.ingestion_id)
        AS quarantined_in_warehouse
FROM ingestion_runs AS runs
WHERE runs.source = $source
ORDER BY (runs.run_id IS NOT DISTINCT FROM $run_id) DESC, runs.started_at DESC
LIMIT 1;
