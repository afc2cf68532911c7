-- One control_evaluations row per day (`backfill_evaluations`, computed by the engine).
INSERT INTO control_evaluations
SELECT
    d.evaluation_id, $framework, e.as_of, $evaluated_at, $run_id, $trigger,
    e.rules_run, e.rules_failed, e.results
FROM backfill_evaluations e
JOIN backfill_days d ON d.as_of = e.as_of;
