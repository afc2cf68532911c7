-- A control of the catalog in force (the columns of control_catalog, in order).
INSERT INTO control_catalog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
