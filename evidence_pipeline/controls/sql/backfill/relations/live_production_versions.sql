SELECT * EXCLUDE (as_of) FROM backfill_live_production_versions WHERE as_of = __days.as_of
