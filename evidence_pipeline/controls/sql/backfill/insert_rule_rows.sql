-- One rule's rows of every day (`backfill_rule_rows`, the day in `__as_of`) become results of
-- one control: ../stage_rule_rows.sql applied to each day's rows, then ../insert_results.sql.
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
),
counted AS (
    SELECT *, count(*) OVER (PARTITION BY as_of, subject_type, subject_id) AS copies
    FROM typed
),
staged AS (
    SELECT
        as_of,
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
        coalesce(relies_on_observed_at > as_of, false) AS backdated,
        relies_on_observed_at
    FROM counted
    QUALIFY row_number() OVER (
        PARTITION BY as_of, subject_type, subject_id
        ORDER BY status, reason, evidence_ref, relies_on_observed_at  -- as stage_rule_rows.sql
    ) = 1
)
SELECT
    d.evaluation_id,
    s.as_of,
    $evaluated_at,
    $framework,
    $control_id,
    $rule_id,
    $rule_hash,
    s.subject_type,
    s.subject_id,
    s.status,
    s.reason,
    s.evidence_ref,
    s.backdated,
    s.relies_on_observed_at
FROM staged s
JOIN backfill_days d ON d.as_of = s.as_of;
