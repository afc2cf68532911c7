-- Compare the staged registered models with the current warehouse rows: each is new,
-- changed, unchanged, or deleted (current in the warehouse, gone from MLflow). A new entry is
-- valid from its creation in MLflow, unless an earlier row of the same name ended after that
-- (then from this observation); a changed one is valid from this observation.
CREATE OR REPLACE TEMP TABLE changes_registered_models AS
WITH current_rows AS (
    SELECT name, content_hash
    FROM mlflow_registered_models
    WHERE valid_to IS NULL
),
closed_rows AS (
    SELECT name, max(valid_to) AS last_valid_to
    FROM mlflow_registered_models
    WHERE valid_to IS NOT NULL
    GROUP BY name
)
SELECT
    coalesce(s.name, c.name) AS name,
    CASE
        WHEN c.name IS NULL THEN 'new'
        WHEN s.name IS NULL THEN 'deleted'
        WHEN s.content_hash <> c.content_hash THEN 'changed'
        ELSE 'unchanged'
    END AS change,
    CASE
        WHEN c.name IS NULL AND s.created_at IS NOT NULL
            AND (p.last_valid_to IS NULL OR p.last_valid_to <= s.created_at)
            THEN s.created_at
        ELSE $observed_at::TIMESTAMPTZ
    END AS valid_from
FROM stage_registered_models AS s
FULL OUTER JOIN current_rows AS c ON c.name = s.name
LEFT JOIN closed_rows AS p ON p.name = coalesce(s.name, c.name);
