SELECT count(*) FROM gx_validations;
