-- The objects of a source already read, with the version token they had then.
SELECT uri, version_token
FROM ingested_objects
WHERE source = $source;
