-- Where an evaluation's rows wait until they replace the evaluation in one transaction.
CREATE OR REPLACE TEMP TABLE staged_control_results (
    control_id              VARCHAR,
    rule_id                 VARCHAR,
    rule_hash               VARCHAR,
    subject_type            VARCHAR,
    subject_id              VARCHAR,
    status                  VARCHAR,
    reason                  VARCHAR,
    evidence_ref            VARCHAR,
    backdated               BOOLEAN,
    relies_on_observed_at   TIMESTAMPTZ
);
