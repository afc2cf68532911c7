-- Remove an evaluation (same framework and as_of) before it is written again.
DELETE FROM control_results WHERE framework = $framework AND as_of = $as_of;
DELETE FROM control_effectiveness WHERE framework = $framework AND as_of = $as_of;
DELETE FROM control_evaluations WHERE framework = $framework AND as_of = $as_of;
