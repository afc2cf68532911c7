-- The results just inserted for one control and rule, before they are inserted again.
DELETE FROM control_results
WHERE framework = $framework
    AND as_of IN (SELECT as_of FROM backfill_days)
    AND control_id = $control_id
    AND rule_id = $rule_id
    AND rule_hash = $rule_hash;
