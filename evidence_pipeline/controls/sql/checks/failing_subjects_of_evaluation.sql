SELECT control_id, rule_id, subject_type, subject_id, status, reason,
       count(*) OVER (PARTITION BY control_id) AS total
FROM control_results
WHERE evaluation_id = $evaluation_id AND framework = $framework
  AND status IN ('error', 'fail', 'stale')
QUALIFY row_number() OVER (
    PARTITION BY control_id
    ORDER BY CASE status WHEN 'error' THEN 0 WHEN 'fail' THEN 1 ELSE 2 END, rule_id, subject_id
) <= $shown
ORDER BY control_id, CASE status WHEN 'error' THEN 0 WHEN 'fail' THEN 1 ELSE 2 END,
         rule_id, subject_id
