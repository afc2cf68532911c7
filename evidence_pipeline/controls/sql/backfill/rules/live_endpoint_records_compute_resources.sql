-- batches control_mappings/rules/live_endpoint_records_compute_resources.sql sha256:0abd36876c404f6361acd2cff6cc7238df9ac1f859332efce56084535a4bf448
-- That rule for every day: the deploy behind each day's live version, found by its event_id
-- among the events at or before the day's as_of.
WITH deploys AS (
    SELECT
        l.as_of,
        l.endpoint_id,
        l.version_id,
        l.deployed_event_id,
        l.deploy_evidence_ref,
        list_filter(
            list_transform(
                $compute_detail_keys,
                lambda k: k || '=' || nullif(
                    trim(json_extract_string(e.details, '$."' || k || '"')), ''
                )
            ),
            lambda x: x IS NOT NULL
        ) AS found
    FROM backfill_live_production_versions l
    LEFT JOIN backfill_deployment_events e
        ON e.event_id = l.deployed_event_id AND e.event_time <= l.as_of
)
SELECT
    as_of AS __as_of,
    'endpoint' AS subject_type,
    endpoint_id AS subject_id,
    CASE WHEN len(found) > 0 THEN 'pass' ELSE 'fail' END AS status,
    CASE
        WHEN len(found) > 0 THEN
            'deploy event ' || deployed_event_id || ' of ' || version_id || ' recorded '
            || array_to_string(found, ', ')
        ELSE 'deploy event ' || deployed_event_id || ' of ' || version_id
            || ' recorded none of ' || array_to_string($compute_detail_keys, ', ')
            || ' in its details'
    END AS reason,
    deploy_evidence_ref AS evidence_ref
FROM deploys
