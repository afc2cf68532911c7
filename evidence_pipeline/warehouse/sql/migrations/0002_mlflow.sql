-- MLflow registry evidence with history: a changed entry gets a new row; validity is
-- valid_from <= as_of < valid_to (valid_to NULL while current). Tag values are trimmed; the
-- enumerated ones (risk_tier, validation_status) are stored in lower case.

CREATE TABLE mlflow_registered_models (
    name                VARCHAR NOT NULL,
    description         VARCHAR,
    tags                MAP(VARCHAR, VARCHAR),
    aliases             MAP(VARCHAR, VARCHAR),   -- alias -> version
    created_at          TIMESTAMPTZ,
    last_updated_at     TIMESTAMPTZ,             -- MLflow's value when this state was first seen
    content_hash        VARCHAR NOT NULL,        -- over description, tags and aliases
    valid_from          TIMESTAMPTZ NOT NULL,
    valid_to            TIMESTAMPTZ,
    observed_at         TIMESTAMPTZ NOT NULL,    -- when this row's state was first seen
    ingestion_id        VARCHAR
);

CREATE TABLE mlflow_model_versions (
    name                VARCHAR NOT NULL,
    version             VARCHAR NOT NULL,        -- a string: "3"
    tags                MAP(VARCHAR, VARCHAR),
    aliases             VARCHAR[],
    status              VARCHAR,
    current_stage       VARCHAR,
    description         VARCHAR,
    source              VARCHAR,
    run_id              VARCHAR,
    user_id             VARCHAR,
    created_at          TIMESTAMPTZ,
    last_updated_at     TIMESTAMPTZ,
    content_hash        VARCHAR NOT NULL,        -- over every column above but the timestamps
    valid_from          TIMESTAMPTZ NOT NULL,
    valid_to            TIMESTAMPTZ,
    observed_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);

-- The source run of each model version, read once. A run the tracking server does not know
-- (deleted for good, or logged elsewhere) is kept with found = false, so it is not asked for again.
CREATE TABLE mlflow_runs (
    run_id              VARCHAR PRIMARY KEY,
    found               BOOLEAN NOT NULL DEFAULT true,
    experiment_id       VARCHAR,
    run_name            VARCHAR,
    status              VARCHAR,
    lifecycle_stage     VARCHAR,                 -- active | deleted
    user_id             VARCHAR,
    start_time          TIMESTAMPTZ,
    end_time            TIMESTAMPTZ,
    params              MAP(VARCHAR, VARCHAR),
    metrics             MAP(VARCHAR, DOUBLE),
    tags                MAP(VARCHAR, VARCHAR),
    observed_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);

CREATE TABLE mlflow_run_dataset_inputs (
    run_id              VARCHAR NOT NULL,
    dataset_name        VARCHAR,
    digest              VARCHAR,
    source_type         VARCHAR,
    source              VARCHAR,
    context             VARCHAR,                 -- the input tag mlflow.data.context (training, eval)
    observed_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);
