-- One row per line of the staged pieces (an Arrow table `pieces(uri, first_line, content)`),
-- numbered within its object; a CR before the newline is dropped. Materialised on purpose:
-- the Arrow table has one row per piece, so a query reading it directly runs on one thread,
-- while the million-row table of lines is parsed in parallel.
CREATE OR REPLACE TEMP TABLE piece_lines AS
SELECT
    uri,
    first_line + idx - 1 AS line,
    CASE WHEN suffix(text, chr(13)) THEN left(text, length(text) - 1) ELSE text END AS text
FROM (
    SELECT uri, first_line, unnest(parts) AS text, unnest(range(1, len(parts) + 1)) AS idx
    FROM (SELECT uri, first_line, string_split(content, chr(10)) AS parts FROM pieces)
)
