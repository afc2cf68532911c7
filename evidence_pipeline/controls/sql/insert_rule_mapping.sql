INSERT INTO control_rule_mappings VALUES (
    $framework, $control_id, $rule_id, $rule_hash, $explanation, $params, $mapping_source,
    $rule_source, $rule_sql, $loaded_at
);
