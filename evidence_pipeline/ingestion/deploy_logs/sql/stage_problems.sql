INSERT INTO stg_quarantine BY NAME SELECT * FROM read_problems
