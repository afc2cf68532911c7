-- Macros every rule may use (docs/controls.md, section 3).

-- A tag's value trimmed; NULL when the tag is absent or empty.
CREATE OR REPLACE TEMP MACRO tag_value(tags, key) AS nullif(trim(tags[key]), '');

-- Whether an actor is the person named (evidence-model.md, section 2): equal ignoring case,
-- or the last `/` segment of the actor's ARN (session or user name) is. NULL if either is empty.
CREATE OR REPLACE TEMP MACRO same_person(actor, person) AS
    CASE
        WHEN nullif(trim(actor), '') IS NULL OR nullif(trim(person), '') IS NULL THEN NULL
        ELSE lower(trim(actor)) = lower(trim(person))
            OR lower(string_split(trim(actor), '/')[-1]) = lower(trim(person))
    END;
