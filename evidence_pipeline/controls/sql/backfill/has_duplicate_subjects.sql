-- Whether the rule may have returned a subject more than once on some day (as
-- insert_rule_rows.sql counts them). Compared by hash, which is cheap: equal subjects have
-- equal hashes, and a collision of different ones only costs the slower insert.
SELECT count(*) <> count(DISTINCT hash(
    CAST(__as_of AS TIMESTAMPTZ),
    CAST(subject_type AS VARCHAR),
    coalesce(CAST(subject_id AS VARCHAR), '(no subject id)')
))
FROM backfill_rule_rows;
