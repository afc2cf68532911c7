SELECT * EXCLUDE (as_of) FROM backfill_model_versions_as_of WHERE as_of = __days.as_of
