-- insert_rule_rows.sql for rows that return each subject once a day (`has_duplicate_subjects`
-- found none): without the counting and the choice of one row per subject, the same rows.
INSERT INTO control_results
WITH typed AS (
    SELECT
        CAST(__as_of AS TIMESTAMPTZ) AS as_of,
        CAST(subject_type AS VARCHAR) AS subject_type,
        coalesce(CAST(subject_id AS VARCHAR), '(no subject id)') AS subject_id,
        CAST(status AS VARCHAR) AS status,
        CAST(reason AS VARCHAR) AS reason,
        CAST(evidence_ref AS VARCHAR) AS evidence_ref,
        CAST(relies_on_observed_at AS TIMESTAMPTZ) AS relies_on_observed_at
    FROM backfill_rule_rows
)
SELECT
    d.evaluation_id,
    t.as_of,
    $evaluated_at,
    $framework,
    $control_id,
    $rule_id,
    $rule_hash,
    t.subject_type,
    t.subject_id,
    CASE
        WHEN rule_row_problem(1, t.subject_type, t.status, $subject_types, $statuses) IS NULL
            THEN t.status
        ELSE 'error'
    END,
    coalesce(rule_row_problem(1, t.subject_type, t.status, $subject_types, $statuses), t.reason),
    t.evidence_ref,
    coalesce(t.relies_on_observed_at > t.as_of, false),
    t.relies_on_observed_at
FROM typed t
JOIN backfill_days d ON d.as_of = t.as_of;
