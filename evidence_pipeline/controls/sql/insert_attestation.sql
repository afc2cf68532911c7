INSERT INTO control_attestations VALUES (
    $framework, $control_id, $statement, $evidence_ref, $attested_by, $attested_at,
    $valid_until, $source, $loaded_at
);
