-- Shows an auditor that every registered model has gone through the impact assessment
-- process's first step: it is classified into one of the known risk tiers.
-- Subject: registered model at the evaluation instant. Params: risk_tier_tag, risk_tiers (lower case).
SELECT
    'registered_model' AS subject_type,
    name AS subject_id,
    CASE
        WHEN list_contains($risk_tiers, lower(tag_value(tags, $risk_tier_tag))) THEN 'pass'
        ELSE 'fail'
    END AS status,
    CASE
        WHEN tag_value(tags, $risk_tier_tag) IS NULL THEN $risk_tier_tag || ' tag is empty'
        WHEN list_contains($risk_tiers, lower(tag_value(tags, $risk_tier_tag))) THEN
            $risk_tier_tag || ' is ' || lower(tag_value(tags, $risk_tier_tag))
        ELSE $risk_tier_tag || ' ''' || tag_value(tags, $risk_tier_tag) || ''' is not one of '
            || array_to_string($risk_tiers, ', ')
    END AS reason,
    evidence_ref,
    observed_at AS relies_on_observed_at
FROM registered_models_as_of
