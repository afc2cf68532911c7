-- Retention: per-subject results of evaluations run before the cut-off go; roll-ups stay.
-- By evaluated_at, not as_of: an audit of a past date (EVIDENCE_AS_OF) or a backfilled day is
-- as recent as the run that made it.
DELETE FROM control_results WHERE evaluated_at < $cutoff;
