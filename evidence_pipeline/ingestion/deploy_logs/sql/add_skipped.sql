-- CloudTrail records skipped (not deployment events), counted per object.
UPDATE stg_objects SET skipped = skipped + ? WHERE uri = ?
