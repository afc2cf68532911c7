INSERT INTO stg_objects BY NAME SELECT * FROM read_objects
