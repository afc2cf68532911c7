INSERT INTO stg_quarantine (uri, line, error, raw) VALUES (?, ?, ?, ?)
