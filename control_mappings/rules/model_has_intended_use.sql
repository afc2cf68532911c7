-- Shows that every registered model states what it is meant to be used for.
SELECT
    'registered_model' AS subject_type,
    name AS subject_id,
    CASE WHEN tag_value(tags, $intended_use_tag) IS NOT NULL THEN 'pass' ELSE 'fail' END AS status,
    CASE
        WHEN tag_value(tags, $intended_use_tag) IS NOT NULL
            THEN 'intended use is stated: ' || tag_value(tags, $intended_use_tag)
        ELSE 'tag ' || $intended_use_tag || ' is missing or empty'
    END AS reason,
    evidence_ref,
    observed_at AS relies_on_observed_at
FROM registered_models_as_of
