-- Stage one rule's rows of one day (`rule_rows`, as evaluation.py gets them) for one control:
-- ../stage_rule_rows.sql, with the day's as_of.
INSERT INTO backfill_staged_results
SELECT $as_of, * FROM (
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
            WHEN copies > 1 THEN 'error'
            WHEN subject_type IS NULL OR NOT list_contains($subject_types, subject_type) THEN 'error'
            WHEN status IS NULL OR NOT list_contains($statuses, status) THEN 'error'
            ELSE status
        END AS status,
        CASE
            WHEN copies > 1
                THEN 'the rule returned this subject ' || CAST(copies AS VARCHAR) || ' times'
            WHEN subject_type IS NULL OR NOT list_contains($subject_types, subject_type)
                THEN 'the rule returned subject type ' || coalesce('''' || subject_type || '''', 'NULL')
                    || ', which is not one of ' || array_to_string($subject_types, ', ')
            WHEN status IS NULL OR NOT list_contains($statuses, status)
                THEN 'the rule returned status ' || coalesce('''' || status || '''', 'NULL')
                    || ', which is not one of ' || array_to_string($statuses, ', ')
            ELSE reason
        END AS reason,
        evidence_ref,
        coalesce(relies_on_observed_at > $as_of, false) AS backdated,
        relies_on_observed_at
    FROM counted
    QUALIFY row_number() OVER (PARTITION BY subject_type, subject_id ORDER BY status, reason) = 1
);
