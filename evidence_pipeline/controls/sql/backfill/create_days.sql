-- The instants a backfill evaluates, with the id of each one's evaluation.
CREATE OR REPLACE TEMP TABLE backfill_days AS
SELECT
    CAST(unnest($as_ofs) AS TIMESTAMPTZ) AS as_of,
    CAST(unnest($evaluation_ids) AS VARCHAR) AS evaluation_id;
