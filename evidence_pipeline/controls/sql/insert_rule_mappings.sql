-- A rule mapped to a control, with its parameters (the columns of control_rule_mappings).
INSERT INTO control_rule_mappings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
