SELECT * EXCLUDE (run_started_at, __visible_from)
FROM backfill_run_dataset_inputs
WHERE __visible_from <= __days.as_of
