-- Deployment, monitoring and incident events from JSON-lines logs and CloudTrail.
-- event_id is unique: ingestion lands the first occurrence, skips identical repeats and
-- quarantines repeats with different content (so no key constraint is needed to keep it so,
-- and bulk loads of millions of events stay fast).

CREATE TABLE deployment_events (
    event_id            VARCHAR NOT NULL,
    event_time          TIMESTAMPTZ NOT NULL,
    event_type          VARCHAR NOT NULL,        -- lower case; unknown types are kept
    model_name          VARCHAR,
    model_version       VARCHAR,                 -- a string: a JSON number 3 is stored as '3'
    environment         VARCHAR,                 -- lower case
    endpoint            VARCHAR,                 -- defaults to model_name
    actor               VARCHAR,
    approved_by         VARCHAR,
    change_ticket       VARCHAR,
    status              VARCHAR NOT NULL,        -- succeeded | failed
    incident_id         VARCHAR,
    details             JSON,
    raw                 VARCHAR,                 -- the event as read, JSON text (all fields kept)
    source_format       VARCHAR NOT NULL,        -- jsonl | cloudtrail
    source_uri          VARCHAR NOT NULL,
    source_line         BIGINT,                  -- 1-based line (JSON lines) or record index (CloudTrail)
    content_hash        VARCHAR NOT NULL,        -- md5 of the event's minified JSON
    ingested_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);

-- SageMaker endpoint tags over time, learnt from CreateEndpoint, AddTags and DeleteTags records.
-- Each row is the endpoint's whole tag set from valid_from on (until the endpoint's next row).
CREATE TABLE endpoint_tags (
    endpoint_arn        VARCHAR,
    endpoint_name       VARCHAR NOT NULL,        -- as written in the record (ARNs carry it in lower case)
    endpoint_key        VARCHAR NOT NULL,        -- lower(endpoint_name): how records are matched
    tags                MAP(VARCHAR, VARCHAR),
    valid_from          TIMESTAMPTZ NOT NULL,
    source_event_id     VARCHAR NOT NULL,
    source_uri          VARCHAR,
    ingested_at         TIMESTAMPTZ,
    ingestion_id        VARCHAR
);
