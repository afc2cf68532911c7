-- Endpoint tag changes learnt by earlier runs, for CloudTrail records without tags (a row
-- written before changes were recorded is a whole set).
SELECT
    endpoint_name, valid_from, source_event_id, tags, coalesce(change, 'set'), added, removed
FROM endpoint_tags
