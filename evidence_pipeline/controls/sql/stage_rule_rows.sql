-- Stage one rule's rows for one control ($control_id): a status or subject type outside the
-- vocabulary, or a subject returned twice, becomes an error row saying so.
INSERT INTO staged_control_results
WITH typed AS (
    SELECT
        CAST(subject_type AS VARCHAR) AS subject_type,
        coalesce(CAST(subject_id AS VARCHAR), '(no subject id)') AS subject_id,
        CAST(status AS VARCHAR) AS status,
        CAST(reason AS VARCHAR) AS reason,
        CAST(evidence_ref AS VARCHAR) AS evidence_ref,
        CAST(relies_on_observed_at AS TIMESTAMPTZ) AS relies_on_observed_at
    FROM rule_rows
),
counted AS (
    SELECT *, count(*) OVER (PARTITION BY subject_type, subject_id) AS copies
    FROM typed
)
SELECT
    $control_id AS control_id,
    $rule_id AS rule_id,
    $rule_hash AS rule_hash,
    subject_type,
    subject_id,
    CASE
        WHEN rule_row_problem(copies, subject_type, status, $subject_types, $statuses) IS NULL
            THEN status
        ELSE 'error'
    END AS status,
    coalesce(
        rule_row_problem(copies, subject_type, status, $subject_types, $statuses), reason
    ) AS reason,
    evidence_ref,
    coalesce(relies_on_observed_at > $as_of, false) AS backdated,
    relies_on_observed_at
FROM counted
QUALIFY row_number() OVER (
    PARTITION BY subject_type, subject_id
    ORDER BY status, reason, evidence_ref, relies_on_observed_at  -- total: the same row every time
) = 1;
