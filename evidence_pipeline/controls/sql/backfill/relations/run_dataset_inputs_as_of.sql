SELECT * EXCLUDE (run_started_at)
FROM backfill_run_dataset_inputs
WHERE run_started_at IS NULL OR run_started_at <= __days.as_of
