-- Bad lines are staged for quarantine, with the reason.
INSERT INTO stg_quarantine
SELECT uri, line, error, text FROM checked_lines WHERE error IS NOT NULL
