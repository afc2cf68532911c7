-- Control evaluation: the catalog and mappings in force, the attestations people provide,
-- every evaluation's per-subject results and per-control roll-ups (docs/controls.md).
-- No primary keys on tables that an evaluation replaces (delete and insert in one transaction).

CREATE TABLE control_catalog (
    framework           VARCHAR NOT NULL,
    control_id          VARCHAR NOT NULL,
    title               VARCHAR NOT NULL,
    objective_id        VARCHAR NOT NULL,        -- A.2 ... A.10; A.6.1 or A.6.2 for A.6
    objective_title     VARCHAR NOT NULL,
    description         VARCHAR,
    automation          VARCHAR NOT NULL,        -- automated | partial | manual
    applicable          BOOLEAN NOT NULL,
    justification       VARCHAR,
    threshold           DOUBLE NOT NULL,         -- effectiveness at or above: partially_effective
    check_name          VARCHAR,
    position            INTEGER NOT NULL,        -- order in the catalog file
    source              VARCHAR NOT NULL,        -- the catalog file
    loaded_at           TIMESTAMPTZ NOT NULL
);

-- Which rules evidence which control, with the parameters in force (after overrides).
CREATE TABLE control_rule_mappings (
    framework           VARCHAR NOT NULL,
    control_id          VARCHAR NOT NULL,
    rule_id             VARCHAR NOT NULL,
    rule_hash           VARCHAR NOT NULL,        -- sha256 of the SQL text and the parameters
    explanation         VARCHAR,                 -- what the rule shows an auditor
    params              JSON,
    mapping_source      VARCHAR NOT NULL,        -- file:line of the mapping entry
    rule_source         VARCHAR NOT NULL,        -- the .sql file
    rule_sql            VARCHAR NOT NULL,
    loaded_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE control_attestations (
    framework           VARCHAR NOT NULL,
    control_id          VARCHAR NOT NULL,
    statement           VARCHAR NOT NULL,
    evidence_ref        VARCHAR NOT NULL,
    attested_by         VARCHAR NOT NULL,
    attested_at         TIMESTAMPTZ NOT NULL,
    valid_until         TIMESTAMPTZ NOT NULL,
    source              VARCHAR NOT NULL,        -- file:line
    loaded_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE control_evaluations (
    evaluation_id       VARCHAR NOT NULL,        -- <framework>@<as_of, RFC 3339>
    framework           VARCHAR NOT NULL,
    as_of               TIMESTAMPTZ NOT NULL,
    evaluated_at        TIMESTAMPTZ NOT NULL,
    run_id              VARCHAR,                 -- the Dagster run, when there is one
    trigger             VARCHAR NOT NULL,        -- run | backfill | manual
    rules_run           INTEGER NOT NULL,
    rules_failed        INTEGER NOT NULL,
    results             BIGINT NOT NULL
);

CREATE TABLE control_results (
    evaluation_id       VARCHAR NOT NULL,
    as_of               TIMESTAMPTZ NOT NULL,
    evaluated_at        TIMESTAMPTZ NOT NULL,
    framework           VARCHAR NOT NULL,
    control_id          VARCHAR NOT NULL,
    rule_id             VARCHAR NOT NULL,
    rule_hash           VARCHAR NOT NULL,
    subject_type        VARCHAR,                 -- NULL only for a rule-wide error (subject '*')
    subject_id          VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,        -- pass | fail | stale | not_applicable | error
    reason              VARCHAR,
    evidence_ref        VARCHAR,
    backdated           BOOLEAN NOT NULL,
    relies_on_observed_at TIMESTAMPTZ
);

CREATE TABLE control_effectiveness (
    evaluation_id       VARCHAR NOT NULL,
    as_of               TIMESTAMPTZ NOT NULL,
    evaluated_at        TIMESTAMPTZ NOT NULL,
    framework           VARCHAR NOT NULL,
    control_id          VARCHAR NOT NULL,
    subjects_evaluated  BIGINT NOT NULL,
    subjects_passing    BIGINT NOT NULL,
    subjects_failing    BIGINT NOT NULL,
    subjects_stale      BIGINT NOT NULL,
    subjects_not_applicable BIGINT NOT NULL,
    subjects_error      BIGINT NOT NULL,
    subjects_backdated  BIGINT NOT NULL,
    effectiveness       DOUBLE,                  -- pass / (pass + fail + stale); NULL when none
    status              VARCHAR NOT NULL,
    threshold           DOUBLE NOT NULL,
    rules               VARCHAR[],
    attestation_status  VARCHAR NOT NULL         -- valid | expired | none, at as_of
);

CREATE VIEW control_status_current AS
SELECT *
FROM control_effectiveness
QUALIFY row_number() OVER (
    PARTITION BY framework, control_id ORDER BY as_of DESC, evaluated_at DESC
) = 1;

CREATE VIEW statement_of_applicability AS
SELECT
    c.framework,
    c.objective_id,
    c.objective_title,
    c.control_id,
    c.title,
    c.description,
    c.applicable,
    c.justification,
    c.automation,
    s.status,
    s.effectiveness,
    coalesce(
        (
            SELECT list(m.rule_id ORDER BY m.rule_id)
            FROM control_rule_mappings m
            WHERE m.framework = c.framework AND m.control_id = c.control_id
        ),
        []::VARCHAR[]
    ) AS rules,
    coalesce(
        s.attestation_status,
        CASE
            WHEN EXISTS (
                SELECT 1 FROM control_attestations a
                WHERE a.framework = c.framework AND a.control_id = c.control_id
                    AND a.attested_at <= current_timestamp AND current_timestamp < a.valid_until
            ) THEN 'valid'
            WHEN EXISTS (
                SELECT 1 FROM control_attestations a
                WHERE a.framework = c.framework AND a.control_id = c.control_id
                    AND a.valid_until <= current_timestamp
            ) THEN 'expired'
            ELSE 'none'
        END
    ) AS attestation_status,
    s.as_of AS last_as_of,
    s.evaluated_at AS last_evaluated_at,
    c.position
FROM control_catalog c
LEFT JOIN control_status_current s
    ON s.framework = c.framework AND s.control_id = c.control_id;
