-- The controls and rules whose results, inserted by insert_unique_rule_rows.sql, may hold a
-- subject twice on a day (they are then replaced by insert_rule_rows.sql). Compared by hash,
-- which is cheap: equal subjects have equal hashes, and a collision of different ones only
-- costs the replacement.
SELECT control_id, rule_id, rule_hash
FROM control_results
WHERE framework = $framework AND as_of IN (SELECT as_of FROM backfill_days)
GROUP BY control_id, rule_id, rule_hash
HAVING count(*) <> count(DISTINCT hash(as_of, subject_type, subject_id));
