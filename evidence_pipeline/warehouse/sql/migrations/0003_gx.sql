-- Great Expectations validation results, one row per result file.

CREATE TABLE gx_validations (
    validation_id       VARCHAR PRIMARY KEY,     -- stable: hash of the file's content
    data_asset          VARCHAR NOT NULL,        -- <datasource_name>/<data_asset_name>
    datasource_name     VARCHAR,
    data_asset_name     VARCHAR,
    suite_name          VARCHAR,
    validated_at        TIMESTAMPTZ NOT NULL,
    success             BOOLEAN NOT NULL,
    success_percent     DOUBLE,
    evaluated_expectations   BIGINT,
    successful_expectations  BIGINT,
    unsuccessful_expectations BIGINT,
    failed_expectations VARCHAR[],               -- expectation types that failed
    gx_format           VARCHAR,                 -- 1.x | 0.x
    source_uri          VARCHAR NOT NULL,
    content_hash        VARCHAR NOT NULL,
    ingested_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);
