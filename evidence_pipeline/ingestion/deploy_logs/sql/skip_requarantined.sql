-- Bad records this ingestion read again, exactly as an earlier ingestion quarantined them (a log
-- that grew is read again whole): not quarantined twice, but counted as skipped, like an
-- identical repeat of an event. Same location, line, reason and raw text. Parameter:
-- ingestion_id.
CREATE OR REPLACE TEMP TABLE requarantined AS
SELECT q.location AS uri, count(*) AS repeats
FROM quarantine AS q
WHERE q.source = 'deploy_logs' AND q.ingestion_id = $ingestion_id
    AND EXISTS (
        SELECT 1
        FROM quarantine AS e
        WHERE e.source = 'deploy_logs'
            AND e.ingestion_id IS DISTINCT FROM $ingestion_id
            AND e.location = q.location
            AND e.line IS NOT DISTINCT FROM q.line
            AND e.error = q.error
            AND e.raw IS NOT DISTINCT FROM q.raw
    )
GROUP BY 1;
DELETE FROM quarantine AS q
WHERE q.source = 'deploy_logs' AND q.ingestion_id = $ingestion_id
    AND EXISTS (
        SELECT 1
        FROM quarantine AS e
        WHERE e.source = 'deploy_logs'
            AND e.ingestion_id IS DISTINCT FROM $ingestion_id
            AND e.location = q.location
            AND e.line IS NOT DISTINCT FROM q.line
            AND e.error = q.error
            AND e.raw IS NOT DISTINCT FROM q.raw
    );
