-- The model versions just read from MLflow (the Arrow table `fetched_model_versions`),
-- normalised as the contract stores them, with the hash that tells a change.
CREATE OR REPLACE TEMP TABLE stage_model_versions AS
WITH normalised AS (
    SELECT
        name,
        version,
        map_from_entries(list_transform(map_entries(tags), lambda e: {
            'key': e.key,
            'value': CASE
                WHEN list_contains($enumerated_tag_keys, e.key)
                    THEN lower(regexp_replace(e.value, '^\s+|\s+$', '', 'g'))
                ELSE regexp_replace(e.value, '^\s+|\s+$', '', 'g')
            END
        })) AS tags,
        list_sort(aliases) AS aliases,
        status,
        current_stage,
        nullif(description, '') AS description,
        source,
        run_id,
        user_id,
        created_at,
        last_updated_at
    FROM fetched_model_versions
)
SELECT
    *,
    md5(to_json({
        'tags': list_sort(map_entries(tags)),
        'aliases': aliases,
        'status': status,
        'current_stage': current_stage,
        'description': description,
        'source': source,
        'run_id': run_id,
        'user_id': user_id
    })) AS content_hash
FROM normalised;
