INSERT INTO stg_events BY NAME SELECT * FROM events
