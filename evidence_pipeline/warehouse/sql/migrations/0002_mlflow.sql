-- MLflow registry evidence with history: a changed entry gets a new row; validity is
-- valid_from <= as_of < valid_to (valid_to NULL while current).

CREATE TABLE mlflow_registered_models (
    name                VARCHAR NOT NULL,
    description         VARCHAR,
    tags                MAP(VARCHAR, VARCHAR),
    aliases             MAP(VARCHAR, VARCHAR),   -- alias -> version
    created_at          TIMESTAMPTZ,
    last_updated_at     TIMESTAMPTZ,
    content_hash        VARCHAR NOT NULL,
    valid_from          TIMESTAMPTZ NOT NULL,
    valid_to            TIMESTAMPTZ,
    observed_at         TIMESTAMPTZ NOT NULL,    -- when this row's state was first seen
    ingestion_id        VARCHAR
);

CREATE TABLE mlflow_model_versions (
    name                VARCHAR NOT NULL,
    version             VARCHAR NOT NULL,
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
    content_hash        VARCHAR NOT NULL,
    valid_from          TIMESTAMPTZ NOT NULL,
    valid_to            TIMESTAMPTZ,
    observed_at         TIMESTAMPTZ NOT NULL,
    ingestion_id        VARCHAR
);

CREATE TABLE mlflow_runs (
    run_id              VARCHAR PRIMARY KEY,
    experiment_id       VARCHAR,
    run_name            VARCHAR,
    status              VARCHAR,
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
    observed_at         TIMESTAMPTZ NOT NULL
);
