-- Record the endpoint tag states learnt in this run (parameters: ingested_at, ingestion_id).
INSERT INTO endpoint_tags
SELECT
    endpoint_arn, endpoint_name, lower(endpoint_name), tags, valid_from, source_event_id,
    source_uri, $ingested_at, $ingestion_id
FROM stg_endpoint_tags
