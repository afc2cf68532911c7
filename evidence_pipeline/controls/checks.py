"""Asset checks per control (being built)."""
control_checks: list = []
