-- Bad lines are staged for quarantine, with the reason (run only for a batch where fewer
-- lines landed than it has lines with content).
INSERT INTO stg_quarantine
SELECT uri, line, error, text FROM checked_lines() WHERE error IS NOT NULL
