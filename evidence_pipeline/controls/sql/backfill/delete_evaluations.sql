-- Remove the evaluations of the backfill's instants before they are written again.
DELETE FROM control_results
WHERE framework = $framework AND as_of IN (SELECT as_of FROM backfill_days);
DELETE FROM control_effectiveness
WHERE framework = $framework AND as_of IN (SELECT as_of FROM backfill_days);
DELETE FROM control_evaluations
WHERE framework = $framework AND as_of IN (SELECT as_of FROM backfill_days);
