-- The staged rows of the rules evaluated day by day become their days' results.
INSERT INTO control_results
SELECT
    d.evaluation_id,
    s.as_of,
    $evaluated_at,
    $framework,
    s.control_id,
    s.rule_id,
    s.rule_hash,
    s.subject_type,
    s.subject_id,
    s.status,
    s.reason,
    s.evidence_ref,
    s.backdated,
    s.relies_on_observed_at
FROM backfill_staged_results s
JOIN backfill_days d ON d.as_of = s.as_of;
