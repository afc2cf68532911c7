-- Every catalog control with its roll-up in the latest evaluation at or before $as_of
-- (any evaluation when $as_of is NULL), in catalog order.
WITH latest AS (
    SELECT *
    FROM control_effectiveness
    WHERE framework = $framework AND ($as_of IS NULL OR as_of <= $as_of)
    QUALIFY row_number() OVER (
        PARTITION BY control_id ORDER BY as_of DESC, evaluated_at DESC
    ) = 1
)
SELECT
    c.objective_id,
    c.objective_title,
    c.control_id,
    c.title,
    c.automation,
    c.applicable,
    c.check_name,
    l.status,
    l.effectiveness,
    l.threshold,
    l.subjects_evaluated,
    l.subjects_passing,
    l.subjects_failing,
    l.subjects_stale,
    l.subjects_not_applicable,
    l.subjects_error,
    l.attestation_status,
    l.rules,
    l.as_of,
    l.evaluated_at,
    l.evaluation_id
FROM control_catalog c
LEFT JOIN latest l ON l.control_id = c.control_id
WHERE c.framework = $framework
ORDER BY c.position;
