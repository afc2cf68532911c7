-- Objects of this batch (registered as `gx_objects`) that the warehouse already records with
-- the same version token: another ingestion read them after this one looked (or the published
-- copy it looked at was behind). They are counted as skipped, and not recorded twice.
SELECT object.uri
FROM gx_objects AS object
JOIN ingested_objects AS known
    ON known.source = $source
   AND known.uri = object.uri
   AND known.version_token = object.version_token;
