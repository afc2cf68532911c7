-- Parse and check every non-blank line in bulk; `error` is NULL for a line that can land.
-- Required: event_id, event_time (RFC 3339 with offset), event_type, model_name, environment;
-- incident_id for incident_* events; model_version for deploy and rollback.
CREATE OR REPLACE TEMP TABLE checked_lines AS
WITH lines AS (
    SELECT uri, line, trim(text, chr(32) || chr(9)) AS text
    FROM piece_lines
    WHERE trim(text, chr(32) || chr(9)) <> ''
),
parsed AS (
    SELECT uri, line, text, CASE WHEN json_valid(text) THEN text::JSON END AS j
    FROM lines
),
objects AS (
    SELECT
        uri, line, text, j,
        json_type(j) = 'OBJECT' AS is_object,
        CASE WHEN json_type(j) = 'OBJECT' THEN json_extract_string(j, [
            '$.event_id', '$.event_time', '$.event_type', '$.model_name', '$.model_version',
            '$.environment', '$.endpoint', '$.actor', '$.approved_by', '$.change_ticket',
            '$.status', '$.incident_id'
        ]) END AS f
    FROM parsed
),
fields AS (
    SELECT
        uri, line, text, j, is_object,
        nullif(trim(f[1]), '') AS event_id,
        nullif(trim(f[2]), '') AS event_time_text,
        lower(nullif(trim(f[3]), '')) AS event_type,
        nullif(trim(f[4]), '') AS model_name,
        nullif(trim(f[5]), '') AS model_version,
        lower(nullif(trim(f[6]), '')) AS environment,
        nullif(trim(f[7]), '') AS endpoint,
        nullif(trim(f[8]), '') AS actor,
        nullif(trim(f[9]), '') AS approved_by,
        nullif(trim(f[10]), '') AS change_ticket,
        coalesce(lower(nullif(trim(f[11]), '')), 'succeeded') AS status,
        nullif(trim(f[12]), '') AS incident_id
    FROM objects
),
timed AS (
    SELECT
        *,
        CASE
            WHEN regexp_full_match(
                upper(event_time_text),
                '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})'
            ) THEN try_cast(upper(event_time_text) AS TIMESTAMPTZ)
        END AS event_time,
        concat_ws(', ',
            CASE WHEN event_id IS NULL THEN 'event_id' END,
            CASE WHEN event_time_text IS NULL THEN 'event_time' END,
            CASE WHEN event_type IS NULL THEN 'event_type' END,
            CASE WHEN model_name IS NULL THEN 'model_name' END,
            CASE WHEN environment IS NULL THEN 'environment' END,
            CASE WHEN starts_with(event_type, 'incident_') AND incident_id IS NULL
                THEN 'incident_id (required for incident_* events)' END,
            CASE WHEN event_type IN ('deploy', 'rollback') AND model_version IS NULL
                THEN 'model_version (required for deploy and rollback)' END
        ) AS missing
    FROM fields
)
SELECT
    *,
    CASE
        WHEN j IS NULL THEN 'malformed JSON line'
        WHEN NOT is_object THEN 'not a JSON object'
        WHEN missing <> '' THEN 'missing required field: ' || missing
        WHEN event_time IS NULL
            THEN 'event_time ' || to_json(event_time_text)
                || ' is not an RFC 3339 timestamp with a UTC offset'
        WHEN status NOT IN ('succeeded', 'failed')
            THEN 'status ' || to_json(status) || ' is neither succeeded nor failed'
    END AS error
FROM timed
