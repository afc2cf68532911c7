-- Per day and control: how many subjects the backfill's results hold, by status.
SELECT
    as_of,
    control_id,
    count(*) FILTER (WHERE status = 'pass') AS passing,
    count(*) FILTER (WHERE status = 'fail') AS failing,
    count(*) FILTER (WHERE status = 'stale') AS stale,
    count(*) FILTER (WHERE status = 'not_applicable') AS not_applicable,
    count(*) FILTER (WHERE status = 'error') AS error,
    count(*) FILTER (WHERE backdated) AS backdated
FROM control_results
WHERE framework = $framework AND as_of IN (SELECT as_of FROM backfill_days)
GROUP BY as_of, control_id;
