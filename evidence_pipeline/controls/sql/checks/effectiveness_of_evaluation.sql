SELECT control_id, as_of, status, effectiveness, threshold, rules, attestation_status,
       subjects_evaluated, subjects_passing, subjects_failing,
       subjects_stale, subjects_not_applicable, subjects_error
FROM control_effectiveness
WHERE evaluation_id = $evaluation_id AND framework = $framework
