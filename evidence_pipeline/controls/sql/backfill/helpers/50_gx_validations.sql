-- Every Great Expectations validation as helpers/50_gx_validations_as_of.sql gives it, once
-- for the whole backfill; a day's gx_validations_as_of is its rows with validated_at <= as_of.
CREATE OR REPLACE TEMP TABLE backfill_gx_validations AS
SELECT
    validation_id,
    data_asset,
    datasource_name,
    data_asset_name,
    suite_name,
    validated_at,
    success,
    success_percent,
    evaluated_expectations,
    unsuccessful_expectations,
    failed_expectations,
    source_uri || '#' || content_hash AS evidence_ref
FROM gx_validations
WHERE validated_at <= (SELECT max(as_of) FROM backfill_days) AND source_configured('gx');
