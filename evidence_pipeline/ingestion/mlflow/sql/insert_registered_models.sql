-- Open a row for every new or changed registered model.
INSERT INTO mlflow_registered_models (
    name, description, tags, aliases, created_at, last_updated_at, content_hash,
    valid_from, valid_to, observed_at, ingestion_id
)
SELECT
    s.name, s.description, s.tags, s.aliases, s.created_at, s.last_updated_at, s.content_hash,
    ch.valid_from, NULL, $observed_at, $ingestion_id
FROM stage_registered_models AS s
JOIN changes_registered_models AS ch ON ch.name = s.name
WHERE ch.change IN ('new', 'changed');
