-- A repeat whose text differs from the first occurrence only in the blanks between JSON tokens
-- has identical content: it is skipped, not quarantined. Only the held-back repeats are
-- compared (json() minifies); the hashes of the others already tell. Parameter: ingestion_id.
UPDATE held_back_events AS h
SET same_content = true
FROM deployment_events AS c, deployment_events AS f
WHERE NOT h.same_content
    AND c.ingestion_id = $ingestion_id
    AND c.source_uri = h.source_uri
    AND c.source_line = h.source_line
    AND f.event_id = h.event_id
    AND f.source_uri = h.first_uri
    AND f.source_line = h.first_line
    AND CASE
        WHEN json_valid(c.raw) AND json_valid(f.raw) THEN json(c.raw) = json(f.raw)
        ELSE false
    END
