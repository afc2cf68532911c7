-- Lines read per object in the batch `batch_lines(uri, line, text)`: those with content are
-- records; blank ones are only counted. Returns the batch's lines with content, per object.
-- (CASE, not AND/OR: DuckDB evaluates both sides of AND/OR, and trim() is slow.)
INSERT INTO stg_line_counts
SELECT uri, count(*) - count(*) FILTER (WHERE blank), count(*) FILTER (WHERE blank)
FROM (
    SELECT
        uri,
        CASE
            WHEN prefix(text, ' ') OR prefix(text, chr(9)) THEN trim(text, ' ' || chr(9)) = ''
            ELSE text = ''
        END AS blank
    FROM batch_lines
)
GROUP BY uri
RETURNING nonempty_lines
