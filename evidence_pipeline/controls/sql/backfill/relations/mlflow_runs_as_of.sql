SELECT * EXCLUDE (__visible_from) FROM backfill_mlflow_runs WHERE __visible_from <= __days.as_of
