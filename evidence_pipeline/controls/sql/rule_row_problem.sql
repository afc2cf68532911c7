-- What is wrong with one row a rule returned, or NULL when nothing is: the subject returned
-- `copies` times, or a subject type or status outside the vocabulary. Both paths that turn
-- rule rows into results (stage_rule_rows.sql, and backfill/insert_*rule_rows.sql for a backfill)
-- make such a row an `error` with this reason.
CREATE OR REPLACE TEMP MACRO rule_row_problem(copies, subject_type, status, subject_types, statuses) AS
    CASE
        WHEN copies > 1
            THEN 'the rule returned this subject ' || CAST(copies AS VARCHAR) || ' times'
        WHEN subject_type IS NULL OR NOT list_contains(subject_types, subject_type)
            THEN 'the rule returned subject type ' || coalesce('''' || subject_type || '''', 'NULL')
                || ', which is not one of ' || array_to_string(subject_types, ', ')
        WHEN status IS NULL OR NOT list_contains(statuses, status)
            THEN 'the rule returned status ' || coalesce('''' || status || '''', 'NULL')
                || ', which is not one of ' || array_to_string(statuses, ', ')
    END;
