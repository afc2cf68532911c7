-- Lines read per object: those with content are records; blank ones are only counted.
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
    FROM piece_lines
)
GROUP BY uri
