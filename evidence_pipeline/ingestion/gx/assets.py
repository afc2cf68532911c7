"""Great Expectations ingestion (being built)."""

gx_assets: list = []
gx_checks: list = []
