-- Events of this ingestion that must not stay: repeats of an event_id landed by an earlier
-- ingestion, and later occurrences (by URI, then line) of an event_id read more than once in
-- this one. `same_content` tells a skipped duplicate from a quarantined conflict.
-- Parameter: ingestion_id.
CREATE OR REPLACE TEMP TABLE held_back_events AS
WITH current_events AS (
    SELECT event_id, source_uri, source_line, content_hash
    FROM deployment_events
    WHERE ingestion_id = $ingestion_id
),
earlier_events AS (
    SELECT event_id, source_uri, source_line, content_hash
    FROM deployment_events
    WHERE ingestion_id IS DISTINCT FROM $ingestion_id
),
in_warehouse AS (
    SELECT
        c.source_uri, c.source_line, c.event_id,
        c.content_hash = d.content_hash AS same_content,
        d.source_uri AS first_uri, d.source_line AS first_line, TRUE AS in_warehouse
    FROM current_events AS c
    JOIN earlier_events AS d USING (event_id)
),
repeated AS (
    SELECT event_id FROM current_events GROUP BY event_id HAVING count(*) > 1
),
ranked AS (
    SELECT
        source_uri, source_line, event_id, content_hash,
        row_number() OVER w AS occurrence,
        first_value(content_hash) OVER w AS first_hash,
        first_value(source_uri) OVER w AS first_uri,
        first_value(source_line) OVER w AS first_line
    FROM current_events
    WHERE event_id IN (SELECT event_id FROM repeated)
    WINDOW w AS (PARTITION BY event_id ORDER BY source_uri, source_line)
)
SELECT source_uri, source_line, event_id, same_content, first_uri, first_line, in_warehouse
FROM in_warehouse
UNION ALL
SELECT
    source_uri, source_line, event_id, content_hash = first_hash, first_uri, first_line, FALSE
FROM ranked
WHERE occurrence > 1 AND event_id NOT IN (SELECT event_id FROM in_warehouse)
