-- A repeat whose JSON value equals the first occurrence's has identical content, however it is
-- written (blanks between tokens, order of an object's keys): it is skipped, not quarantined.
-- Only the held-back repeats are compared (`same_json()`, registered by the ingestion); the
-- hashes of the others already tell. The first occurrence is an earlier ingestion's row when
-- the repeat is of an event already in the warehouse (it may sit at the same URI and line, in
-- an object that changed since), and a row of this ingestion otherwise. Parameter: ingestion_id.
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
    AND (f.ingestion_id IS DISTINCT FROM $ingestion_id) = h.in_warehouse
    AND same_json(c.raw, f.raw)
