-- The objects of this source already read, with the version token they had.
SELECT uri, version_token FROM ingested_objects WHERE source = ?
