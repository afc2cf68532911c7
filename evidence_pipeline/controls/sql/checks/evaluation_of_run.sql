SELECT evaluation_id FROM control_evaluations
WHERE framework = $framework AND run_id = $run_id
ORDER BY evaluated_at DESC, as_of DESC
LIMIT 1
