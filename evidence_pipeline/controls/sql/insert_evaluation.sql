INSERT INTO control_evaluations VALUES (
    $evaluation_id, $framework, $as_of, $evaluated_at, $run_id, $trigger,
    $rules_run, $rules_failed, $results
);
