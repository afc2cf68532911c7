-- Great Expectations validations that ran at or before $as_of; none when Great Expectations is
-- not configured.
CREATE OR REPLACE TEMP TABLE gx_validations_as_of AS
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
WHERE validated_at <= $as_of AND source_configured('gx');
