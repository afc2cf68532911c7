-- The stored catalog of a framework, without when it was loaded.
SELECT * EXCLUDE (loaded_at) FROM control_catalog WHERE framework = $framework;
