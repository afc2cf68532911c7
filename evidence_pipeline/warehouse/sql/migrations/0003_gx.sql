-- Great Expectations validation results, one row per validation result file.

CREATE TABLE gx_validations (
    validation_id       VARCHAR PRIMARY KEY,     -- sha256 of the file's bytes (identical file = same validation)
    data_asset          VARCHAR NOT NULL,        -- <datasource_name>/<data_asset_name>: the subject
    datasource_name     VARCHAR NOT NULL,
    data_asset_name     VARCHAR NOT NULL,
    suite_name          VARCHAR NOT NULL,
    validated_at        TIMESTAMPTZ NOT NULL,    -- meta.validation_time, else meta.run_id.run_time
    success             BOOLEAN NOT NULL,
    success_percent     DOUBLE,
    evaluated_expectations   BIGINT,
    successful_expectations  BIGINT,
    unsuccessful_expectations BIGINT,
    failed_expectations VARCHAR[],               -- types of the expectations that failed
    gx_format           VARCHAR NOT NULL,        -- 1.x | 0.x
    gx_version          VARCHAR,                 -- meta.great_expectations_version
    run_name            VARCHAR,                 -- meta.run_id.run_name
    source_uri          VARCHAR NOT NULL,        -- where the file was read (first copy seen)
    content_hash        VARCHAR NOT NULL,
    ingested_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);
