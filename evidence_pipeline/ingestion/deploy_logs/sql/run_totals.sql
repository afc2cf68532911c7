-- This run's totals over the objects it read.
SELECT
    count(*),
    coalesce(sum(records_read), 0),
    coalesce(sum(rows_landed), 0),
    coalesce(sum(quarantined), 0),
    coalesce(sum(skipped), 0),
    coalesce(sum(empty_lines), 0)
FROM object_outcomes
