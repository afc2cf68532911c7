INSERT INTO control_effectiveness VALUES (
    $evaluation_id, $as_of, $evaluated_at, $framework, $control_id,
    $subjects_evaluated, $subjects_passing, $subjects_failing, $subjects_stale,
    $subjects_not_applicable, $subjects_error, $subjects_backdated,
    $effectiveness, $status, $threshold, $rules, $attestation_status
);
