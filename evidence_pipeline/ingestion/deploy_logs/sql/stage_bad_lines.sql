-- Bad lines, with the reason, handed to `quarantined()` while their batch was landing, are
-- staged for quarantine.
INSERT INTO stg_quarantine SELECT uri, line, error, raw FROM bad_lines
