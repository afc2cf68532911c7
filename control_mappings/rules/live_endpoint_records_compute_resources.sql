-- Shows an auditor that the computing resources each production model runs on are documented:
-- the deployment that made the live version of every production endpoint live recorded its
-- compute (e.g. the instance type, or the SageMaker endpoint configuration) in its details.
-- Subject: production endpoint with a live version at the evaluation instant.
-- Params: compute_detail_keys (keys of the event's details; any one set is enough).
WITH deploys AS (
    SELECT
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
    FROM live_production_versions l
    LEFT JOIN deployment_events_as_of e ON e.event_id = l.deployed_event_id
)
SELECT
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
