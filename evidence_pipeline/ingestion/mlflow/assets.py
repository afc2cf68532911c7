"""MLflow registry ingestion (being built)."""

mlflow_assets: list = []
mlflow_checks: list = []
