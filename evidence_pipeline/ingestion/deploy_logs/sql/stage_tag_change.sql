INSERT INTO stg_endpoint_tags (endpoint_arn, endpoint_name, tags, valid_from, source_event_id,
    source_uri, change, added, removed)
VALUES (?, ?, MAP(?::VARCHAR[], ?::VARCHAR[]), ?, ?, ?, ?, MAP(?::VARCHAR[], ?::VARCHAR[]), ?)
