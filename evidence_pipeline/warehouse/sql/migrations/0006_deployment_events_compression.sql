-- Deployment events: the columns whose values are (nearly) all distinct are stored with FSST,
-- named here instead of chosen by DuckDB at every write. DuckDB picks a string column's
-- compression by trying each method on every row group it writes; for these columns it picks
-- FSST anyway (measured on a million events), and the trial costs about a tenth of landing
-- them. The other columns keep DuckDB's choice (dictionary for the few distinct values most
-- of them hold). DuckDB sets a column's compression only when the table is created: the
-- table is created again with the same columns and its rows copied.

CREATE TABLE deployment_events_pinned (
    event_id            VARCHAR NOT NULL USING COMPRESSION fsst,
    event_time          TIMESTAMPTZ NOT NULL,
    event_type          VARCHAR NOT NULL,        -- lower case; unknown types are kept
    model_name          VARCHAR,
    model_version       VARCHAR,                 -- a string: a JSON number 3 is stored as '3'
    environment         VARCHAR,                 -- lower case
    endpoint            VARCHAR,                 -- defaults to model_name
    actor               VARCHAR,
    approved_by         VARCHAR,
    change_ticket       VARCHAR USING COMPRESSION fsst,
    status              VARCHAR NOT NULL,        -- succeeded | failed
    incident_id         VARCHAR USING COMPRESSION fsst,
    details             JSON USING COMPRESSION fsst,
    raw                 VARCHAR USING COMPRESSION fsst, -- the event as read, JSON text
    source_format       VARCHAR NOT NULL,        -- jsonl | cloudtrail
    source_uri          VARCHAR NOT NULL,
    source_line         BIGINT,                  -- 1-based line (JSON lines) or record index
    content_hash        VARCHAR NOT NULL USING COMPRESSION fsst,
    ingested_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);

INSERT INTO deployment_events_pinned SELECT * FROM deployment_events;
DROP TABLE deployment_events;
ALTER TABLE deployment_events_pinned RENAME TO deployment_events;
