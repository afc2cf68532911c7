-- batches control_mappings/rules/live_version_training_data_validated.sql sha256:d407793295711bbfd0b7edab879326e3456e6c6e80375a868f5e11559cd0d1d6
-- That rule for every day. A day's latest validation of a suite before training is found with
-- an ASOF join at the earlier of the run's start and as_of (only the highest validation_id of
-- a suite's instant can be the latest); a data asset is known at as_of from its first
-- validation on; some validation exists at as_of exactly when the earliest one is before it.
WITH live AS (
    SELECT as_of, model_name, model_version, version_id, min(deploy_evidence_ref) AS deploy_ref
    FROM backfill_live_production_versions
    GROUP BY ALL
),
versions AS (
    SELECT
        l.as_of,
        l.version_id,
        v.version IS NOT NULL AS in_registry,
        nullif(trim(v.run_id), '') AS run_id,
        coalesce(r.start_time, v.created_at) AS trained_at,
        r.run_id IS NOT NULL AS run_known,
        tag_value(r.tags, $data_asset_tag) AS asset_tag,
        coalesce(v.evidence_ref, l.deploy_ref) AS evidence_ref,
        v.observed_at
    FROM live l
    LEFT JOIN backfill_model_versions_as_of v
        ON v.as_of = l.as_of AND v.name = l.model_name AND v.version = l.model_version
    LEFT JOIN backfill_mlflow_runs r
        ON r.run_id = nullif(trim(v.run_id), '')
        AND r.__visible_from <= l.as_of
),
tagged_assets AS (
    SELECT DISTINCT v.as_of, v.version_id, trim(a.asset) AS data_asset
    FROM versions v, unnest(string_split(v.asset_tag, ',')) AS a(asset)
    WHERE v.asset_tag IS NOT NULL AND trim(a.asset) <> ''
),
known_asset AS (
    SELECT
        data_asset,
        substr(data_asset, strpos(data_asset, '/') + 1) AS asset_name,
        min(validated_at) AS first_validated_at
    FROM backfill_gx_validations
    GROUP BY data_asset
),
training_input AS (
    SELECT v.as_of, v.version_id, trim(i.dataset_name) AS dataset_name
    FROM versions v
    JOIN backfill_run_dataset_inputs i
        ON i.run_id = v.run_id
        AND lower(trim(i.context)) = lower($training_context)
        AND i.__visible_from <= v.as_of
    WHERE v.asset_tag IS NULL
),
named_assets AS (
    SELECT DISTINCT t.as_of, t.version_id, g.data_asset
    FROM training_input t
    JOIN known_asset g ON g.first_validated_at <= t.as_of AND t.dataset_name = g.data_asset
    UNION
    SELECT DISTINCT t.as_of, t.version_id, g.data_asset
    FROM training_input t
    JOIN known_asset g ON g.first_validated_at <= t.as_of AND t.dataset_name = g.asset_name
),
linked AS (
    SELECT * FROM tagged_assets
    UNION
    SELECT * FROM named_assets
),
suite AS (
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
suite_of_asset AS (
    SELECT DISTINCT suite_key, data_asset, suite_name FROM suite
),
bound AS (
    SELECT k.as_of, k.version_id, k.data_asset, s.suite_key, least(v.trained_at, k.as_of) AS until
    FROM linked k
    JOIN versions v ON v.as_of = k.as_of AND v.version_id = k.version_id
    JOIN suite_of_asset s ON s.data_asset = k.data_asset
    WHERE v.trained_at IS NOT NULL
),
latest_before_training AS (
    SELECT b.as_of, b.version_id, b.data_asset, g.suite_name, g.success, g.evidence_ref
    FROM bound b
    ASOF JOIN suite g ON g.suite_key = b.suite_key AND g.validated_at <= b.until
),
per_asset AS (
    SELECT
        k.as_of,
        k.version_id,
        k.data_asset,
        count(b.suite_name) AS suites,
        count(b.suite_name) FILTER (WHERE NOT b.success) AS failed_suites,
        string_agg(b.suite_name, ', ' ORDER BY b.suite_name) FILTER (WHERE NOT b.success)
            AS failed_names,
        min(b.evidence_ref) FILTER (WHERE NOT b.success) AS failed_ref
    FROM linked k
    LEFT JOIN latest_before_training b
        ON b.as_of = k.as_of AND b.version_id = k.version_id AND b.data_asset = k.data_asset
    GROUP BY k.as_of, k.version_id, k.data_asset
),
per_version AS (
    SELECT
        as_of,
        version_id,
        count(*) AS assets,
        string_agg(data_asset, ', ' ORDER BY data_asset) AS asset_names,
        string_agg(data_asset, ', ' ORDER BY data_asset) FILTER (WHERE suites = 0)
            AS unvalidated,
        string_agg(data_asset || ' (' || failed_names || ')', ', ' ORDER BY data_asset)
            FILTER (WHERE failed_suites > 0) AS failed,
        min(failed_ref) AS failed_ref
    FROM per_asset
    GROUP BY as_of, version_id
)
SELECT
    v.as_of AS __as_of,
    'model_version' AS subject_type,
    v.version_id AS subject_id,
    CASE
        WHEN p.assets > 0 AND p.unvalidated IS NULL AND p.failed IS NULL THEN 'pass'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN NOT v.in_registry THEN 'not in registry'
        WHEN v.run_id IS NULL THEN 'version was not registered from a tracked run'
        WHEN NOT v.run_known THEN 'source run ' || v.run_id || ' is not in the warehouse'
        WHEN p.assets IS NULL THEN
            'source run ' || v.run_id || ' names no validated data asset (run tag '
            || $data_asset_tag || ', or a training input named after one)'
        WHEN p.failed IS NOT NULL THEN
            'latest validation before training failed: ' || p.failed
        WHEN p.unvalidated IS NOT NULL THEN
            'not validated before training: ' || p.unvalidated
        ELSE 'validated before training: ' || p.asset_names
    END AS reason,
    coalesce(p.failed_ref, v.evidence_ref) AS evidence_ref,
    v.observed_at AS relies_on_observed_at
FROM versions v
LEFT JOIN per_version p ON p.as_of = v.as_of AND p.version_id = v.version_id
WHERE v.as_of >= (SELECT min(validated_at) FROM backfill_gx_validations)
    AND source_configured('mlflow')
