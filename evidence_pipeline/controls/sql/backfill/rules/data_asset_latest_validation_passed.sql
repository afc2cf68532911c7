-- batches control_mappings/rules/data_asset_latest_validation_passed.sql sha256:cce8f4bae9460a89f6ffdf90179dd46737a82b860f6cb2b3860194d6de0a6b81
-- That rule for every day: each day's latest validation of a suite is found with an ASOF join
-- (only the highest validation_id of a suite's instant can be the latest).
WITH suite AS (
    SELECT
        dense_rank() OVER (ORDER BY data_asset, suite_name) AS suite_key,
        data_asset,
        suite_name,
        validated_at,
        success,
        evidence_ref
    FROM backfill_gx_validations
    WHERE validated_at IS NOT NULL
    QUALIFY row_number() OVER (
        PARTITION BY data_asset, suite_name, validated_at ORDER BY validation_id DESC
    ) = 1
),
grid AS (
    SELECT d.as_of, k.suite_key
    FROM backfill_days d
    CROSS JOIN (SELECT DISTINCT suite_key FROM suite) k
),
latest_per_suite AS (
    SELECT g.as_of, s.data_asset, s.suite_name, s.validated_at, s.success, s.evidence_ref
    FROM grid g
    ASOF JOIN suite s ON s.suite_key = g.suite_key AND s.validated_at <= g.as_of
),
judged AS (
    SELECT
        *,
        CASE
            WHEN NOT success THEN 'fail'
            WHEN validated_at < as_of - to_hours($max_age_days * 24) THEN 'stale'
            ELSE 'pass'
        END AS suite_status
    FROM latest_per_suite
)
SELECT
    as_of AS __as_of,
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
GROUP BY as_of, data_asset
