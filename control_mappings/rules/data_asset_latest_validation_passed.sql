-- Shows that the latest validation of every expectation suite run on each data asset passed
-- and is at most $max_age_days days old (exactly that old still counts).
WITH latest_per_suite AS (
    SELECT *
    FROM gx_validations_as_of
    QUALIFY row_number() OVER (
        PARTITION BY data_asset, suite_name ORDER BY validated_at DESC, validation_id DESC
    ) = 1
),
judged AS (
    SELECT
        *,
        CASE
            WHEN NOT success THEN 'fail'
            WHEN validated_at < $as_of - to_hours($max_age_days * 24) THEN 'stale'
            ELSE 'pass'
        END AS suite_status
    FROM latest_per_suite
)
SELECT
    'data_asset' AS subject_type,
    data_asset AS subject_id,
    CASE
        WHEN bool_or(suite_status = 'fail') THEN 'fail'
        WHEN bool_or(suite_status = 'stale') THEN 'stale'
        ELSE 'pass'
    END AS status,
    CASE
        WHEN bool_or(suite_status = 'fail')
            THEN 'latest validation failed for suite '
                || string_agg(coalesce(suite_name, '?'), ', ' ORDER BY suite_name)
                    FILTER (WHERE suite_status = 'fail')
        WHEN bool_or(suite_status = 'stale')
            THEN 'latest validation older than ' || CAST($max_age_days AS VARCHAR)
                || ' days for suite '
                || string_agg(coalesce(suite_name, '?'), ', ' ORDER BY suite_name)
                    FILTER (WHERE suite_status = 'stale')
        ELSE 'latest validation passed for suite '
            || string_agg(coalesce(suite_name, '?'), ', ' ORDER BY suite_name)
    END AS reason,
    string_agg(evidence_ref, ' ' ORDER BY suite_name) AS evidence_ref,
    CAST(NULL AS TIMESTAMPTZ) AS relies_on_observed_at
FROM judged
GROUP BY data_asset
