-- Whether the rule returned a subject more than once on some day (as insert_rule_rows.sql
-- counts them).
SELECT EXISTS (
    SELECT 1
    FROM backfill_rule_rows
    GROUP BY
        CAST(__as_of AS TIMESTAMPTZ),
        CAST(subject_type AS VARCHAR),
        coalesce(CAST(subject_id AS VARCHAR), '(no subject id)')
    HAVING count(*) > 1
);
