-- The catalog, mappings and attestations in force replace those stored for the framework.
DELETE FROM control_catalog WHERE framework = $framework;
DELETE FROM control_rule_mappings WHERE framework = $framework;
DELETE FROM control_attestations WHERE framework = $framework;
