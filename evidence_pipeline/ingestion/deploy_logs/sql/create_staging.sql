-- Per-run staging tables (temporary: they vanish with the connection, whatever happens).
CREATE OR REPLACE TEMP TABLE stg_objects (
    uri             VARCHAR NOT NULL,
    version_token   VARCHAR NOT NULL,
    size            BIGINT,
    modified_at     TIMESTAMPTZ,
    source_format   VARCHAR NOT NULL,       -- jsonl | cloudtrail
    records_read    BIGINT NOT NULL,        -- counted apart from the outcomes, so they can be checked
    skipped         BIGINT NOT NULL,        -- CloudTrail records that are not deployment events
    substituted_lines BIGINT NOT NULL       -- non-UTF-8 lines left blank in the text (quarantined)
);
CREATE OR REPLACE TEMP TABLE stg_line_counts (
    uri             VARCHAR NOT NULL,
    nonempty_lines  BIGINT NOT NULL,
    empty_lines     BIGINT NOT NULL
);
CREATE OR REPLACE TEMP TABLE stg_quarantine (
    uri             VARCHAR NOT NULL,
    line            BIGINT,
    error           VARCHAR NOT NULL,
    raw             VARCHAR
);
CREATE OR REPLACE TEMP TABLE stg_endpoint_tags (
    endpoint_arn    VARCHAR,
    endpoint_name   VARCHAR NOT NULL,
    tags            MAP(VARCHAR, VARCHAR),
    valid_from      TIMESTAMPTZ NOT NULL,
    source_event_id VARCHAR NOT NULL,
    source_uri      VARCHAR,
    change          VARCHAR,
    added           MAP(VARCHAR, VARCHAR),
    removed         VARCHAR[]
);

-- A field value trimmed of blanks (space, tab, line breaks, vertical tab, form feed), or NULL
-- when empty (trim() only where there is something to trim: it is slow).
CREATE OR REPLACE TEMP MACRO tidy(value) AS nullif(
    CASE
        WHEN prefix(value, ' ') OR suffix(value, ' ') OR prefix(value, chr(9))
            OR suffix(value, chr(9)) OR prefix(value, chr(10)) OR suffix(value, chr(10))
            OR prefix(value, chr(13)) OR suffix(value, chr(13)) OR prefix(value, chr(11))
            OR suffix(value, chr(11)) OR prefix(value, chr(12)) OR suffix(value, chr(12))
            THEN trim(value, ' ' || chr(9) || chr(10) || chr(13) || chr(11) || chr(12))
        ELSE value
    END,
    ''
);
