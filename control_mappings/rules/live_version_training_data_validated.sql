-- Shows an auditor that the prepared data each production model was trained on had passed its
-- data quality checks before training: for every version live in production, each data asset
-- its source run used was last validated, before the run started, with every suite passing.
-- Subject: model version live in production at the evaluation instant; none while the
-- warehouse holds no validation (Great Expectations results are not there to judge).
-- Params: data_asset_tag (run tag naming the data assets, `datasource/asset`, comma
-- separated), training_context. Without the tag, training dataset inputs whose name is a
-- data asset's name (`datasource/asset` or the asset name alone) link the run to it.
WITH live AS (
    SELECT model_name, model_version, version_id, min(deploy_evidence_ref) AS deploy_ref
    FROM live_production_versions
    GROUP BY ALL
),
versions AS (
    SELECT
        l.version_id,
        v.version IS NOT NULL AS in_registry,
        nullif(trim(v.run_id), '') AS run_id,
        coalesce(r.start_time, v.created_at) AS trained_at,
        r.run_id IS NOT NULL AS run_known,
        tag_value(r.tags, $data_asset_tag) AS asset_tag,
        coalesce(v.evidence_ref, l.deploy_ref) AS evidence_ref,
        v.observed_at
    FROM live l
    LEFT JOIN model_versions_as_of v ON v.name = l.model_name AND v.version = l.model_version
    LEFT JOIN mlflow_runs_as_of r ON r.run_id = nullif(trim(v.run_id), '')
),
tagged_assets AS (
    SELECT DISTINCT v.version_id, trim(a.asset) AS data_asset
    FROM versions v, unnest(string_split(v.asset_tag, ',')) AS a(asset)
    WHERE v.asset_tag IS NOT NULL AND trim(a.asset) <> ''
),
named_assets AS (
    SELECT DISTINCT v.version_id, g.data_asset
    FROM versions v
    JOIN run_dataset_inputs_as_of i ON i.run_id = v.run_id
        AND lower(trim(i.context)) = lower($training_context)
    JOIN (
        SELECT DISTINCT data_asset, substr(data_asset, strpos(data_asset, '/') + 1) AS asset_name
        FROM gx_validations_as_of
    ) g
        ON trim(i.dataset_name) IN (g.data_asset, g.asset_name)
    WHERE v.asset_tag IS NULL
),
linked AS (
    SELECT * FROM tagged_assets
    UNION
    SELECT * FROM named_assets
),
latest_before_training AS (
    -- the latest validation of each suite of each linked asset before its run started
    SELECT k.version_id, k.data_asset, g.suite_name, g.success, g.evidence_ref
    FROM linked k
    JOIN versions v ON v.version_id = k.version_id
    JOIN gx_validations_as_of g ON g.data_asset = k.data_asset AND g.validated_at <= v.trained_at
    QUALIFY row_number() OVER (
        PARTITION BY k.version_id, k.data_asset, g.suite_name
        ORDER BY g.validated_at DESC, g.validation_id DESC
    ) = 1
),
per_asset AS (
    SELECT
        k.version_id,
        k.data_asset,
        count(b.suite_name) AS suites,
        count(b.suite_name) FILTER (WHERE NOT b.success) AS failed_suites,
        string_agg(b.suite_name, ', ' ORDER BY b.suite_name) FILTER (WHERE NOT b.success)
            AS failed_names,
        min(b.evidence_ref) FILTER (WHERE NOT b.success) AS failed_ref
    FROM linked k
    LEFT JOIN latest_before_training b
        ON b.version_id = k.version_id AND b.data_asset = k.data_asset
    GROUP BY k.version_id, k.data_asset
),
per_version AS (
    SELECT
        version_id,
        count(*) AS assets,
        string_agg(data_asset, ', ' ORDER BY data_asset) AS asset_names,
        string_agg(data_asset, ', ' ORDER BY data_asset) FILTER (WHERE suites = 0)
            AS unvalidated,
        string_agg(data_asset || ' (' || failed_names || ')', ', ' ORDER BY data_asset)
            FILTER (WHERE failed_suites > 0) AS failed,
        min(failed_ref) AS failed_ref
    FROM per_asset
    GROUP BY version_id
)
SELECT
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
LEFT JOIN per_version p ON p.version_id = v.version_id
-- Without any Great Expectations evidence the data cannot be judged, nor a live version without
-- the registry: no rows (no_evidence).
WHERE EXISTS (SELECT 1 FROM gx_validations_as_of) AND source_configured('mlflow')
