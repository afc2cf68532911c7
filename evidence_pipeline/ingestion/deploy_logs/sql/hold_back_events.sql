-- Staged events that do not land: repeats of an event_id already in the warehouse, and later
-- occurrences (by URI, then line) of an event_id staged more than once. `same_content` tells a
-- skipped duplicate from a quarantined conflict.
CREATE OR REPLACE TEMP TABLE held_back_events AS
WITH in_warehouse AS (
    SELECT
        s.source_uri, s.source_line, s.event_id,
        s.content_hash = d.content_hash AS same_content,
        d.source_uri AS first_uri, d.source_line AS first_line, TRUE AS in_warehouse
    FROM stg_events AS s
    JOIN deployment_events AS d USING (event_id)
),
repeated AS (
    SELECT event_id FROM stg_events GROUP BY event_id HAVING count(*) > 1
),
ranked AS (
    SELECT
        source_uri, source_line, event_id, content_hash,
        row_number() OVER w AS occurrence,
        first_value(content_hash) OVER w AS first_hash,
        first_value(source_uri) OVER w AS first_uri,
        first_value(source_line) OVER w AS first_line
    FROM stg_events
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
