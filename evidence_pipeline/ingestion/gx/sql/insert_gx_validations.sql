-- Land the validations read in this ingestion (registered as `gx_incoming`). A validation
-- already in the warehouse, or a second identical file in the same batch, is not landed
-- again: the caller counts it as skipped. Returns the number of rows landed.
INSERT INTO gx_validations (
    validation_id, data_asset, datasource_name, data_asset_name, suite_name, validated_at,
    success, success_percent, evaluated_expectations, successful_expectations,
    unsuccessful_expectations, failed_expectations, gx_format, gx_version, run_name,
    source_uri, content_hash, ingested_at, ingestion_id
)
SELECT
    incoming.validation_id,
    incoming.datasource_name || '/' || incoming.data_asset_name,
    incoming.datasource_name,
    incoming.data_asset_name,
    incoming.suite_name,
    incoming.validated_at,
    incoming.success,
    incoming.success_percent,
    incoming.evaluated_expectations,
    incoming.successful_expectations,
    incoming.unsuccessful_expectations,
    incoming.failed_expectations,
    incoming.gx_format,
    incoming.gx_version,
    incoming.run_name,
    incoming.source_uri,
    incoming.validation_id,
    $ingested_at,
    $ingestion_id
FROM (
    SELECT *, row_number() OVER (PARTITION BY validation_id ORDER BY source_uri) AS copy_number
    FROM gx_incoming
) AS incoming
WHERE incoming.copy_number = 1
  AND NOT EXISTS (
      SELECT 1 FROM gx_validations AS known WHERE known.validation_id = incoming.validation_id
  );
