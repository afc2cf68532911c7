-- The registered models just read from MLflow (the Arrow table `fetched_registered_models`),
-- normalised as the contract stores them, with the hash that tells a change.
CREATE OR REPLACE TEMP TABLE stage_registered_models AS
WITH normalised AS (
    SELECT
        name,
        nullif(description, '') AS description,
        map_from_entries(list_transform(map_entries(tags), lambda e: {
            'key': e.key,
            'value': CASE
                WHEN list_contains($enumerated_tag_keys, e.key)
                    THEN lower(regexp_replace(e.value, '^\s+|\s+$', '', 'g'))
                ELSE regexp_replace(e.value, '^\s+|\s+$', '', 'g')
            END
        })) AS tags,
        aliases,
        created_at,
        last_updated_at
    FROM fetched_registered_models
)
SELECT
    *,
    md5(to_json({
        'description': description,
        'tags': list_sort(map_entries(tags)),
        'aliases': list_sort(map_entries(aliases))
    })) AS content_hash
FROM normalised;
