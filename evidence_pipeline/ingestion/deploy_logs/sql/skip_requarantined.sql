-- Bad records this ingestion read again, exactly as an earlier ingestion quarantined them (a log
-- that grew is read again whole): not quarantined twice, but counted as skipped, like an
-- identical repeat of an event. Same location, line, reason and raw text. Parameter:
-- ingestion_id.
CREATE OR REPLACE TEMP TABLE requarantined AS
SELECT q.location, q.line, q.error, q.raw
FROM quarantine AS q
SEMI JOIN quarantine AS e
    ON e.location = q.location
    AND e.line IS NOT DISTINCT FROM q.line
    AND e.error = q.error
    AND e.raw IS NOT DISTINCT FROM q.raw
    AND e.source = 'deploy_logs'
    AND e.ingestion_id IS DISTINCT FROM $ingestion_id
WHERE q.source = 'deploy_logs' AND q.ingestion_id = $ingestion_id;
DELETE FROM quarantine AS q
USING requarantined AS r
WHERE q.source = 'deploy_logs' AND q.ingestion_id = $ingestion_id
    AND q.location = r.location
    AND q.line IS NOT DISTINCT FROM r.line
    AND q.error = r.error
    AND q.raw IS NOT DISTINCT FROM r.raw;
