SELECT * FROM backfill_gx_validations WHERE validated_at <= __days.as_of
