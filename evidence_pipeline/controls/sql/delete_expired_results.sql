-- Retention: per-subject results of evaluations older than the cut-off go; roll-ups stay.
DELETE FROM control_results WHERE as_of < $cutoff;
