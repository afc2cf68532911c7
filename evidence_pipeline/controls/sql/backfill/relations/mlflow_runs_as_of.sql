SELECT * FROM backfill_mlflow_runs WHERE start_time IS NULL OR start_time <= __days.as_of
