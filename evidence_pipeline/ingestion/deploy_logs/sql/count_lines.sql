-- Lines read per object: those with content are records; blank ones are only counted.
INSERT INTO stg_line_counts
SELECT
    uri,
    count(*) FILTER (WHERE trim(text, chr(32) || chr(9)) <> '') AS nonempty_lines,
    count(*) FILTER (WHERE trim(text, chr(32) || chr(9)) = '') AS empty_lines
FROM piece_lines
GROUP BY uri
