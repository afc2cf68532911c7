-- Endpoint tags: each row also says which change made it, so that the tag set at an instant can
-- be replayed from the changes (a change learnt late, from a CloudTrail file delivered late,
-- then still counts for the records after it). `change`: set (CreateEndpoint with tags: the
-- whole set), add (AddTags: `added` added or overwritten), delete (DeleteTags: `removed` keys
-- taken out); NULL on rows written before, read as a whole set.
ALTER TABLE endpoint_tags ADD COLUMN change VARCHAR;
ALTER TABLE endpoint_tags ADD COLUMN added MAP(VARCHAR, VARCHAR);
ALTER TABLE endpoint_tags ADD COLUMN removed VARCHAR[];
