SELECT evaluation_id FROM control_effectiveness
WHERE framework = $framework
ORDER BY evaluated_at DESC, as_of DESC, evaluation_id DESC
LIMIT 1
