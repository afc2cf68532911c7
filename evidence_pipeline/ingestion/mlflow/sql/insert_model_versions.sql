-- Open a row for every new or changed model version.
INSERT INTO mlflow_model_versions (
    name, version, tags, aliases, status, current_stage, description, source, run_id, user_id,
    created_at, last_updated_at, content_hash, valid_from, valid_to, observed_at, ingestion_id
)
SELECT
    s.name, s.version, s.tags, s.aliases, s.status, s.current_stage, s.description, s.source,
    s.run_id, s.user_id, s.created_at, s.last_updated_at, s.content_hash,
    ch.valid_from, NULL, $observed_at, $ingestion_id
FROM stage_model_versions AS s
JOIN changes_model_versions AS ch ON ch.name = s.name AND ch.version = s.version
WHERE ch.change IN ('new', 'changed');
