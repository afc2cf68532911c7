-- Take the held-back events out of this ingestion's rows. Parameter: ingestion_id.
DELETE FROM deployment_events AS d
USING held_back_events AS h
WHERE d.ingestion_id = $ingestion_id
    AND d.source_uri = h.source_uri
    AND d.source_line = h.source_line
