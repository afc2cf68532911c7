INSERT INTO stg_endpoint_tags (endpoint_arn, endpoint_name, tags, valid_from, source_event_id,
    source_uri)
VALUES (?, ?, MAP(?::VARCHAR[], ?::VARCHAR[]), ?, ?, ?)
