-- Record every object read in this ingestion (registered as `gx_objects`) with its version
-- token and what became of it, so the next ingestion does not read it again unless it changed.
INSERT INTO ingested_objects (
    source, uri, version_token, size, modified_at, ingestion_id, ingested_at,
    records_read, rows_landed, quarantined, skipped
)
SELECT
    $source,
    object.uri,
    object.version_token,
    object.size,
    object.modified_at,
    $ingestion_id,
    $ingested_at,
    1,
    CASE WHEN landed.validation_id IS NULL THEN 0 ELSE 1 END,
    object.quarantined,
    CASE WHEN object.validation_id IS NOT NULL AND landed.validation_id IS NULL THEN 1 ELSE 0 END
FROM gx_objects AS object
LEFT JOIN gx_validations AS landed
    ON landed.validation_id = object.validation_id
   AND landed.source_uri = object.uri
   AND landed.ingestion_id = $ingestion_id
WHERE NOT EXISTS (
    SELECT 1 FROM ingested_objects AS known
    WHERE known.source = $source
      AND known.uri = object.uri
      AND known.version_token = object.version_token
)
ON CONFLICT (source, uri) DO UPDATE SET
    version_token = excluded.version_token,
    size = excluded.size,
    modified_at = excluded.modified_at,
    ingestion_id = excluded.ingestion_id,
    ingested_at = excluded.ingested_at,
    records_read = excluded.records_read,
    rows_landed = excluded.rows_landed,
    quarantined = excluded.quarantined,
    skipped = excluded.skipped;
