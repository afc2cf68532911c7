-- The staged rows become the evaluation's per-subject results.
INSERT INTO control_results
SELECT
    $evaluation_id,
    $as_of,
    $evaluated_at,
    $framework,
    control_id,
    rule_id,
    rule_hash,
    subject_type,
    subject_id,
    status,
    reason,
    evidence_ref,
    backdated,
    relies_on_observed_at
FROM staged_control_results;
