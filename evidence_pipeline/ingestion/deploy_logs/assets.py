"""Deployment log ingestion (being built)."""

deploy_log_assets: list = []
deploy_log_checks: list = []
