-- The stored mappings of a framework, without when they were loaded.
SELECT * EXCLUDE (loaded_at) FROM control_rule_mappings WHERE framework = $framework;
