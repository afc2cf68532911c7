"""Control evaluation (being built)."""
control_assets: list = []
