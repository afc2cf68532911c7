INSERT INTO stg_objects (uri, version_token, size, modified_at, source_format, records_read,
    skipped, substituted_lines)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
