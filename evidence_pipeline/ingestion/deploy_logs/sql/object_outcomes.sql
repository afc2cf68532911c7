-- Per object read in this ingestion: records read, and what became of them (bad records
-- quarantined before, exactly so, count as skipped: skip_requarantined.sql).
-- Parameter: ingestion_id.
CREATE OR REPLACE TEMP TABLE object_outcomes AS
WITH lines AS (
    SELECT uri, sum(nonempty_lines) AS nonempty_lines, sum(empty_lines) AS empty_lines
    FROM stg_line_counts GROUP BY uri
),
landed AS (
    SELECT source_uri AS uri, count(*) AS landed
    FROM deployment_events
    WHERE ingestion_id = $ingestion_id
    GROUP BY 1
),
held AS (
    SELECT
        source_uri AS uri,
        count(*) FILTER (WHERE same_content) AS duplicates,
        count(*) FILTER (WHERE NOT same_content) AS conflicts
    FROM held_back_events GROUP BY 1
),
bad AS (
    SELECT uri, count(*) AS bad FROM stg_quarantine GROUP BY 1
),
repeated AS (
    SELECT location AS uri, count(*) AS repeats FROM requarantined GROUP BY 1
)
SELECT
    o.uri, o.version_token, o.size, o.modified_at, o.source_format,
    o.records_read + coalesce(l.nonempty_lines, 0) AS records_read,
    coalesce(n.landed, 0) AS rows_landed,
    coalesce(b.bad, 0) + coalesce(h.conflicts, 0) - coalesce(r.repeats, 0) AS quarantined,
    o.skipped + coalesce(h.duplicates, 0) + coalesce(r.repeats, 0) AS skipped,
    coalesce(l.empty_lines, 0) - o.substituted_lines AS empty_lines
FROM stg_objects AS o
LEFT JOIN lines AS l USING (uri)
LEFT JOIN landed AS n USING (uri)
LEFT JOIN held AS h USING (uri)
LEFT JOIN bad AS b USING (uri)
LEFT JOIN repeated AS r USING (uri)
