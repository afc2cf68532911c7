-- An attestation (the columns of control_attestations, in order).
INSERT INTO control_attestations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
