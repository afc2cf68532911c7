-- Compare the staged model versions with the current warehouse rows: each is new, changed,
-- unchanged, or deleted (current in the warehouse, gone from MLflow). A new entry is valid
-- from its creation in MLflow, unless an earlier row of the same version ended after that
-- (then from this observation); a changed one is valid from this observation. A model version
-- deleted and created again under the same name since the last observation (its creation time
-- differs) is changed, and its new row is valid from its new creation time, when the old one
-- ends.
CREATE OR REPLACE TEMP TABLE changes_model_versions AS
WITH current_rows AS (
    SELECT name, version, content_hash, created_at, valid_from
    FROM mlflow_model_versions
    WHERE valid_to IS NULL
),
closed_rows AS (
    SELECT name, version, max(valid_to) AS last_valid_to
    FROM mlflow_model_versions
    WHERE valid_to IS NOT NULL
    GROUP BY name, version
)
SELECT
    coalesce(s.name, c.name) AS name,
    coalesce(s.version, c.version) AS version,
    CASE
        WHEN c.name IS NULL THEN 'new'
        WHEN s.name IS NULL THEN 'deleted'
        WHEN s.content_hash <> c.content_hash OR coalesce(s.created_at <> c.created_at, false)
            THEN 'changed'
        ELSE 'unchanged'
    END AS change,
    CASE
        WHEN s.created_at <> c.created_at
            THEN greatest(c.valid_from, least(s.created_at, $observed_at::TIMESTAMPTZ))
        WHEN c.name IS NULL AND s.created_at IS NOT NULL
            AND (p.last_valid_to IS NULL OR p.last_valid_to <= s.created_at)
            THEN s.created_at
        ELSE $observed_at::TIMESTAMPTZ
    END AS valid_from,
    -- the current row ends when the entry was created again (it was deleted before), at the
    -- latest now, and never before it began; the new row begins there
    CASE
        WHEN s.created_at <> c.created_at
            THEN greatest(c.valid_from, least(s.created_at, $observed_at::TIMESTAMPTZ))
        ELSE $observed_at::TIMESTAMPTZ
    END AS current_valid_to
FROM stage_model_versions AS s
FULL OUTER JOIN current_rows AS c ON c.name = s.name AND c.version = s.version
LEFT JOIN closed_rows AS p
    ON p.name = coalesce(s.name, c.name) AND p.version = coalesce(s.version, c.version);
