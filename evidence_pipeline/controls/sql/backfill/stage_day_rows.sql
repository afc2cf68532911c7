-- One day's rows of the rules evaluated day by day (`staged_control_results`, as
-- ../stage_rule_rows.sql and ../stage_rule_error.sql stage them), kept with the day's as_of.
INSERT INTO backfill_staged_results
SELECT $as_of, * FROM staged_control_results;
