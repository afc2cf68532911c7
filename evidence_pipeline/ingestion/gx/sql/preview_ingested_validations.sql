-- The validations landed by one ingestion, newest first, for the asset's metadata preview.
SELECT data_asset, suite_name, validated_at, success, success_percent, failed_expectations
FROM gx_validations
WHERE ingestion_id = $ingestion_id
ORDER BY validated_at DESC, data_asset, suite_name
LIMIT $limit;
