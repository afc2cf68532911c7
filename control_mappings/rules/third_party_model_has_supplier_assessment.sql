-- Shows that every model provided by a third party references an assessment of its supplier.
WITH model AS (
    SELECT
        name,
        evidence_ref,
        observed_at,
        tag_value(tags, $provider_tag) AS provider,
        tag_value(tags, $supplier_assessment_tag) AS supplier_assessment
    FROM registered_models_as_of
)
SELECT
    'registered_model' AS subject_type,
    name AS subject_id,
    CASE
        WHEN provider IS NULL OR lower(provider) = lower($internal_provider) THEN 'not_applicable'
        WHEN supplier_assessment IS NOT NULL THEN 'pass'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN provider IS NULL THEN 'no provider recorded: not a third-party model'
        WHEN lower(provider) = lower($internal_provider) THEN 'developed internally'
        WHEN supplier_assessment IS NOT NULL
            THEN 'supplier ' || provider || ' assessed in ' || supplier_assessment
        ELSE 'provided by ' || provider || ' but tag ' || $supplier_assessment_tag
            || ' is missing or empty'
    END AS reason,
    evidence_ref,
    observed_at AS relies_on_observed_at
FROM model
