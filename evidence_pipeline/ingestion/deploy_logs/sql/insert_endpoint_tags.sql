-- Record the endpoint tag states learnt in this run (parameters: ingested_at, ingestion_id).
INSERT INTO endpoint_tags (
    endpoint_arn, endpoint_name, endpoint_key, tags, valid_from, source_event_id, source_uri,
    ingested_at, ingestion_id, change, added, removed
)
SELECT
    endpoint_arn, endpoint_name, lower(endpoint_name), tags, valid_from, source_event_id,
    source_uri, $ingested_at, $ingestion_id, change, added, removed
FROM stg_endpoint_tags
