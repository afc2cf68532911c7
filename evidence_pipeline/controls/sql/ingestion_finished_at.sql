-- When this Dagster run's ingestion finished: the evaluation instant of a scheduled run.
SELECT max(finished_at) FROM ingestion_runs WHERE run_id = $run_id;
