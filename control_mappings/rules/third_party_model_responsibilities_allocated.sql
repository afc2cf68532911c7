-- Shows an auditor that for every model provided by a third party, responsibilities are
-- allocated: an internal owner is named and the agreement that splits responsibilities with
-- the provider is referenced.
-- Subject: registered model at the evaluation instant; not_applicable for internal models.
-- Params: provider_tag, internal_provider, owner_tag, agreement_tag.
SELECT
    'registered_model' AS subject_type,
    name AS subject_id,
    CASE
        WHEN coalesce(lower(tag_value(tags, $provider_tag)), lower($internal_provider))
            = lower($internal_provider) THEN 'not_applicable'
        WHEN tag_value(tags, $owner_tag) IS NOT NULL
            AND tag_value(tags, $agreement_tag) IS NOT NULL THEN 'pass'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN coalesce(lower(tag_value(tags, $provider_tag)), lower($internal_provider))
            = lower($internal_provider) THEN 'model is built internally'
        WHEN tag_value(tags, $owner_tag) IS NULL AND tag_value(tags, $agreement_tag) IS NULL THEN
            'third-party model (' || tag_value(tags, $provider_tag) || ') has no ' || $owner_tag
            || ' and no ' || $agreement_tag
        WHEN tag_value(tags, $owner_tag) IS NULL THEN
            'third-party model (' || tag_value(tags, $provider_tag) || ') has no ' || $owner_tag
        WHEN tag_value(tags, $agreement_tag) IS NULL THEN
            'third-party model (' || tag_value(tags, $provider_tag) || ') has no ' || $agreement_tag
        ELSE 'third-party model (' || tag_value(tags, $provider_tag) || ') owned by '
            || tag_value(tags, $owner_tag) || ' under ' || tag_value(tags, $agreement_tag)
    END AS reason,
    evidence_ref,
    observed_at AS relies_on_observed_at
FROM registered_models_as_of
