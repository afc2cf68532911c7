-- Shows that every registered model names an owner accountable for it (owner tag not empty).
SELECT
    'registered_model' AS subject_type,
    name AS subject_id,
    CASE WHEN tag_value(tags, $owner_tag) IS NOT NULL THEN 'pass' ELSE 'fail' END AS status,
    CASE
        WHEN tag_value(tags, $owner_tag) IS NOT NULL
            THEN 'owner is ' || tag_value(tags, $owner_tag)
        ELSE 'tag ' || $owner_tag || ' is missing or empty'
    END AS reason,
    evidence_ref,
    observed_at AS relies_on_observed_at
FROM registered_models_as_of
