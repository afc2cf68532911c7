SELECT * EXCLUDE (as_of) FROM backfill_registered_models_as_of WHERE as_of = __days.as_of
