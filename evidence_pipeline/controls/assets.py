"""Control evaluation (being built)."""

control_assets: list = []
control_checks: list = []
