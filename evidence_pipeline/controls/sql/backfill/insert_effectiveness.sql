-- Every day's roll-ups (`backfill_roll_ups`, computed by the engine) in one statement.
INSERT INTO control_effectiveness
SELECT
    d.evaluation_id, r.as_of, $evaluated_at, $framework, r.control_id,
    r.subjects_evaluated, r.subjects_passing, r.subjects_failing, r.subjects_stale,
    r.subjects_not_applicable, r.subjects_error, r.subjects_backdated,
    r.effectiveness, r.status, r.threshold, CAST(r.rules AS VARCHAR[]), r.attestation_status
FROM backfill_roll_ups r
JOIN backfill_days d ON d.as_of = r.as_of;
