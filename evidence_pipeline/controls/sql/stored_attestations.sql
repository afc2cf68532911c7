-- The stored attestations of a framework, without when they were loaded.
SELECT * EXCLUDE (loaded_at) FROM control_attestations WHERE framework = $framework;
