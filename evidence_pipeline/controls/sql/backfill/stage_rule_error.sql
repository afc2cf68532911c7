-- A rule that could not run at all on one day: one error row for the control, subject '*'.
INSERT INTO backfill_staged_results VALUES
    ($as_of, $control_id, $rule_id, $rule_hash, NULL, '*', 'error', $reason, NULL, false, NULL);
