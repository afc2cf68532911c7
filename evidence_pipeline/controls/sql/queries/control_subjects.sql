-- The per-subject rows of one control in one evaluation; failing ones first when asked.
SELECT
    control_id,
    rule_id,
    subject_type,
    subject_id,
    status,
    reason,
    evidence_ref,
    backdated,
    as_of,
    evaluation_id
FROM control_results
WHERE evaluation_id = $evaluation_id
    AND control_id = $control_id
    AND (NOT $failing_only OR status IN ('fail', 'stale', 'error'))
ORDER BY
    CASE status WHEN 'error' THEN 0 WHEN 'fail' THEN 1 WHEN 'stale' THEN 2 ELSE 3 END,
    rule_id,
    subject_id
LIMIT $row_limit;
