-- `checked_lines()`: every non-blank line of `batch_lines(uri, line, text)` (a stream of
-- Arrow batches registered by the staging), parsed once and checked; `error` is NULL for a line
-- that can land. Required: event_id, event_time (RFC 3339 with offset), event_type,
-- model_name, environment; incident_id for incident_* events; model_version for deploy and
-- rollback. A macro, read by land_lines.sql, so that the lines are never materialised.
-- (Whole-line trim() is slow in DuckDB: only lines with outer blanks are trimmed; try() is
-- slower still: json_valid() guards json_transform() instead; json_valid() is lenient about
-- trailing commas, so the lines with one are parsed again in Python. NaN and Infinity are taken,
-- as Python's json writes and reads them. The list of missing fields is
-- only built for lines that miss one: CASE evaluates a branch only where it is taken.)
CREATE OR REPLACE TEMP MACRO checked_lines() AS TABLE
WITH lines AS (
    SELECT
        uri,
        line,
        CASE
            WHEN prefix(text, ' ') OR prefix(text, chr(9)) OR suffix(text, ' ')
                OR suffix(text, chr(9))
                THEN trim(text, ' ' || chr(9))
            ELSE text
        END AS text
    FROM batch_lines
),
parsed AS (
    SELECT
        uri,
        line,
        text,
        CASE WHEN prefix(text, '{') AND json_valid(text)
            -- json_valid() also takes a comma before } or ]: such lines are checked again by
            -- parses_as_json() (Python's json). In a CASE, so that only they reach Python:
            -- behind an AND, DuckDB called it for every line (1.5 s a million lines).
            AND CASE WHEN regexp_matches(text, ',\s*[}\]]') THEN parses_as_json(text) ELSE true END
            THEN json_transform(text, '{
            "event_id": "VARCHAR", "event_time": "VARCHAR", "event_type": "VARCHAR",
            "model_name": "VARCHAR", "model_version": "VARCHAR", "environment": "VARCHAR",
            "endpoint": "VARCHAR", "actor": "VARCHAR", "approved_by": "VARCHAR",
            "change_ticket": "VARCHAR", "status": "VARCHAR", "incident_id": "VARCHAR",
            "details": "JSON"
        }') END AS f
    FROM lines
    WHERE text <> ''
),
fields AS (
    SELECT
        uri,
        line,
        text,
        f,
        tidy(f.event_id) AS event_id,
        tidy(f.event_time) AS event_time_text,
        lower(tidy(f.event_type)) AS event_type,
        tidy(f.model_name) AS model_name,
        tidy(f.model_version) AS model_version,
        lower(tidy(f.environment)) AS environment,
        tidy(f.endpoint) AS endpoint,
        tidy(f.actor) AS actor,
        tidy(f.approved_by) AS approved_by,
        tidy(f.change_ticket) AS change_ticket,
        coalesce(lower(tidy(f.status)), 'succeeded') AS status,
        tidy(f.incident_id) AS incident_id,
        f.details AS details
    FROM parsed
),
timed AS (
    SELECT
        *,
        -- RFC 3339, YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM): every field two digits (four
        -- for the year) at its place, a T (or a space) between date and time, the hour up to
        -- 23 (the cast takes T24:00:00 as the next day, and single-digit fields), a digit
        -- after a `.` (the cast takes `00.Z`), an offset hour up to 23 and minute up to 59
        -- (the cast takes +24:00 and +05:60); the cast checks the rest. (Cheap tests: LIKE and
        -- one short SIMILAR TO; substr() at six places cost 0.3 s a million lines.)
        CASE
            WHEN substr(upper(event_time_text), 11, 1) NOT IN ('T', ' ') THEN NULL
            WHEN NOT event_time_text LIKE '____-__-_____:__:__%'
                OR substr(event_time_text, 20, 2) NOT SIMILAR TO '(\.[0-9]|[Zz+-]).?'
                OR substr(event_time_text, 12, 2) > '23'
                THEN NULL
            WHEN suffix(upper(event_time_text), 'Z')
                OR (substr(event_time_text, -6, 1) IN ('+', '-')
                    AND substr(event_time_text, -3, 1) = ':'
                    AND substr(event_time_text, -5, 2) <= '23'
                    AND substr(event_time_text, -2, 2) <= '59')
                THEN try_cast(upper(event_time_text) AS TIMESTAMPTZ)
        END AS event_time,
        event_id IS NULL OR event_time_text IS NULL OR event_type IS NULL
            OR model_name IS NULL OR environment IS NULL
            OR (starts_with(event_type, 'incident_') AND incident_id IS NULL)
            OR (event_type IN ('deploy', 'rollback') AND model_version IS NULL)
            AS misses_a_field
    FROM fields
),
checked AS (
    SELECT
        *,
        f IS NOT NULL AND NOT misses_a_field AND event_time IS NOT NULL
            AND status IN ('succeeded', 'failed') AS lands
    FROM timed
)
SELECT
    uri, line, text, event_id, event_time, event_type, model_name, model_version, environment,
    endpoint, actor, approved_by, change_ticket, status, incident_id, details,
    CASE
        WHEN lands THEN NULL
        WHEN f IS NULL AND (prefix(text, '{') OR NOT json_valid(text)) THEN 'malformed JSON line'
        WHEN f IS NULL THEN 'not a JSON object'
        WHEN misses_a_field THEN 'missing required field: ' || concat_ws(', ',
            CASE WHEN event_id IS NULL THEN 'event_id' END,
            CASE WHEN event_time_text IS NULL THEN 'event_time' END,
            CASE WHEN event_type IS NULL THEN 'event_type' END,
            CASE WHEN model_name IS NULL THEN 'model_name' END,
            CASE WHEN environment IS NULL THEN 'environment' END,
            CASE WHEN starts_with(event_type, 'incident_') AND incident_id IS NULL
                THEN 'incident_id (required for incident_* events)' END,
            CASE WHEN event_type IN ('deploy', 'rollback') AND model_version IS NULL
                THEN 'model_version (required for deploy and rollback)' END
        )
        WHEN event_time IS NULL
            THEN 'event_time ' || to_json(event_time_text)
                || ' is not an RFC 3339 timestamp with a UTC offset'
        ELSE 'status ' || to_json(status) || ' is neither succeeded nor failed'
    END AS error
FROM checked
