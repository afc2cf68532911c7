-- Endpoint tag states learnt by earlier runs, for CloudTrail records without tags.
SELECT endpoint_name, valid_from, source_event_id, tags FROM endpoint_tags
