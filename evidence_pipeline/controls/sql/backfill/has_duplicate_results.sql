-- Whether the results just inserted for one control and rule hold a subject twice on a day
-- (insert_unique_rule_rows.sql was then the wrong one: they are replaced).
SELECT EXISTS (
    SELECT 1
    FROM control_results
    WHERE framework = $framework
        AND as_of IN (SELECT as_of FROM backfill_days)
        AND control_id = $control_id
        AND rule_id = $rule_id
        AND rule_hash = $rule_hash
    GROUP BY as_of, subject_type, subject_id
    HAVING count(*) > 1
);
