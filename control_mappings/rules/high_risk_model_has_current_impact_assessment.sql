-- Shows that every high-risk model references an impact assessment dated within the
-- $max_age_days days before as_of. A date is read as its first instant (00:00 UTC).
WITH model AS (
    SELECT
        name,
        evidence_ref,
        observed_at,
        lower(tag_value(tags, $risk_tier_tag)) AS risk_tier,
        tag_value(tags, $assessment_tag) AS assessment,
        tag_value(tags, $assessment_date_tag) AS assessment_date_text,
        -- exactly YYYY-MM-DD: strptime alone also takes 2026-1-5 and a two-digit year
        CASE
            WHEN regexp_full_match(tag_value(tags, $assessment_date_tag), '\d{4}-\d{2}-\d{2}')
                THEN CAST(try_strptime(tag_value(tags, $assessment_date_tag), '%Y-%m-%d') AS DATE)
        END AS assessment_date
    FROM registered_models_as_of
),
judged AS (
    SELECT
        *,
        CASE
            WHEN risk_tier IS DISTINCT FROM lower($high_risk_tier) THEN 'not_applicable'
            WHEN assessment IS NULL THEN 'fail'
            WHEN assessment_date_text IS NULL THEN 'fail'
            WHEN assessment_date IS NULL THEN 'fail'
            WHEN CAST(assessment_date AS TIMESTAMPTZ) > $as_of THEN 'fail'
            WHEN CAST(assessment_date AS TIMESTAMPTZ) > $as_of - to_hours($max_age_days * 24)
                THEN 'pass'
            ELSE 'stale'
        END AS status
    FROM model
)
SELECT
    'registered_model' AS subject_type,
    name AS subject_id,
    status,
    CASE
        WHEN status = 'not_applicable'
            THEN 'risk tier is ' || coalesce(risk_tier, 'not set') || ', not ' || lower($high_risk_tier)
        WHEN assessment IS NULL THEN 'tag ' || $assessment_tag || ' is missing or empty'
        WHEN assessment_date_text IS NULL THEN 'tag ' || $assessment_date_tag || ' is missing or empty'
        WHEN assessment_date IS NULL
            THEN $assessment_date_tag || ' ''' || assessment_date_text || ''' is not a YYYY-MM-DD date'
        WHEN status = 'fail'
            THEN 'impact assessment dated ' || CAST(assessment_date AS VARCHAR) || ' is after as_of'
        WHEN status = 'stale'
            THEN 'impact assessment ' || assessment || ' dated ' || CAST(assessment_date AS VARCHAR)
                || ' is older than ' || CAST($max_age_days AS VARCHAR) || ' days'
        ELSE 'impact assessment ' || assessment || ' dated ' || CAST(assessment_date AS VARCHAR)
    END AS reason,
    evidence_ref,
    observed_at AS relies_on_observed_at
FROM judged
