INSERT INTO control_catalog VALUES (
    $framework, $control_id, $title, $objective_id, $objective_title, $description,
    $automation, $applicable, $justification, $threshold, $check_name, $position, $source,
    $loaded_at
);
