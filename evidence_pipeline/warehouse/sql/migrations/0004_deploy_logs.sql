-- Deployment, monitoring and incident events from JSON-lines logs and CloudTrail.

CREATE TABLE deployment_events (
    event_id            VARCHAR PRIMARY KEY,
    event_time          TIMESTAMPTZ NOT NULL,
    event_type          VARCHAR NOT NULL,
    model_name          VARCHAR,
    model_version       VARCHAR,
    environment         VARCHAR,
    endpoint            VARCHAR,
    actor               VARCHAR,
    approved_by         VARCHAR,
    change_ticket       VARCHAR,
    status              VARCHAR NOT NULL,
    incident_id         VARCHAR,
    details             JSON,
    raw                 JSON,                    -- the whole event as read (unknown fields kept)
    source_format       VARCHAR NOT NULL,        -- jsonl | cloudtrail
    source_uri          VARCHAR NOT NULL,
    source_line         BIGINT,
    content_hash        VARCHAR NOT NULL,
    ingested_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);

-- SageMaker endpoint tags over time, learnt from CreateEndpoint and AddTags records.
CREATE TABLE endpoint_tags (
    endpoint_arn        VARCHAR,
    endpoint_name       VARCHAR NOT NULL,
    tags                MAP(VARCHAR, VARCHAR),
    valid_from          TIMESTAMPTZ NOT NULL,
    source_event_id     VARCHAR NOT NULL
);
