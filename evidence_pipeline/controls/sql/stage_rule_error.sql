-- A rule that could not run at all: one error row for the control, subject '*'.
INSERT INTO staged_control_results VALUES
    ($control_id, $rule_id, $rule_hash, NULL, '*', 'error', $reason, NULL, false, NULL);
