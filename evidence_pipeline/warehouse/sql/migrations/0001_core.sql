-- What every ingestion records: its runs with their accounting, the objects it has read
-- (so a re-run skips them), and the records it could not use.

CREATE TABLE ingestion_runs (
    ingestion_id    VARCHAR PRIMARY KEY,   -- one per source per pipeline run
    run_id          VARCHAR,               -- the Dagster run id, when there is one
    source          VARCHAR NOT NULL,      -- mlflow | gx | deploy_logs
    location        VARCHAR,               -- redacted URI of the source
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          VARCHAR NOT NULL,      -- succeeded | failed | skipped
    objects_listed  BIGINT DEFAULT 0,
    objects_read    BIGINT DEFAULT 0,
    records_read    BIGINT DEFAULT 0,
    rows_landed     BIGINT DEFAULT 0,
    quarantined     BIGINT DEFAULT 0,
    skipped         BIGINT DEFAULT 0,
    message         VARCHAR
);

CREATE TABLE ingested_objects (
    source          VARCHAR NOT NULL,
    uri             VARCHAR NOT NULL,
    version_token   VARCHAR NOT NULL,      -- ETag, or size and modification time
    size            BIGINT,
    modified_at     TIMESTAMPTZ,
    ingestion_id    VARCHAR NOT NULL,
    ingested_at     TIMESTAMPTZ NOT NULL,
    records_read    BIGINT,
    rows_landed     BIGINT,
    quarantined     BIGINT,
    skipped         BIGINT,
    PRIMARY KEY (source, uri)
);

CREATE TABLE quarantine (
    source          VARCHAR NOT NULL,
    location        VARCHAR NOT NULL,      -- URI of the file or object, or the API entry
    line            BIGINT,                -- 1-based line (JSON lines) or record index; NULL for a whole file
    error           VARCHAR NOT NULL,
    raw             VARCHAR,               -- the raw text, as far as it could be decoded
    ingested_at     TIMESTAMPTZ NOT NULL,
    ingestion_id    VARCHAR
);
