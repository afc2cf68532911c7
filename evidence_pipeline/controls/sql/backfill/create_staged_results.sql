-- Where the rows of the rules evaluated day by day wait for the backfill's transaction.
CREATE OR REPLACE TEMP TABLE backfill_staged_results (
    as_of                   TIMESTAMPTZ,
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
