"""Dagster resources, one per outside system, configured from the environment by default.

Every field left unset falls back to the variable of evidence-model.md, section 1, read when
the resource is used (not when the definitions load), so the UI and `evidence-pipeline run`
see the same configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dagster as dg

from connectors.locations import Location, default_s3_client, open_location
from connectors.redaction import redact_uri
from evidence_pipeline.settings import Settings
from evidence_pipeline.warehouse.store import Warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB evidence warehouse (`EVIDENCE_WAREHOUSE`)."""

    path: str | None = None
    memory_limit: str | None = None
    threads: int | None = None

    def get_warehouse(self) -> Warehouse:
        settings = Settings.from_env()
        return Warehouse(
            path=Path(self.path) if self.path else settings.warehouse,
            memory_limit=self.memory_limit or settings.duckdb_memory_limit,
            threads=self.threads or settings.duckdb_threads,
        )


class S3Resource(dg.ConfigurableResource):
    """boto3's S3 client from boto3's own configuration (AWS_ENDPOINT_URL_S3, keys, profiles)."""

    max_attempts: int = 3
    timeout_seconds: float = 10.0

    def get_client(self) -> Any:
        return default_s3_client(self.max_attempts, self.timeout_seconds)


class MlflowResource(dg.ConfigurableResource):
    """The MLflow registry (`MLFLOW_TRACKING_URI`), with bounded retries and timeouts."""

    tracking_uri: str | None = None
    page_size: int = 1000
    max_retries: int = 2
    timeout_seconds: float = 15.0
    run_batch_size: int = 500
    risk_tier_tag: str = "risk_tier"  # registered model tag stored in lower case
    validation_status_tag: str = "validation_status"  # model version tag stored in lower case

    def resolved_uri(self) -> str | None:
        return self.tracking_uri or Settings.from_env().mlflow_tracking_uri

    def display_uri(self) -> str | None:
        return redact_uri(self.resolved_uri())


class EvidenceLocationResource(dg.ConfigurableResource):
    """A directory or s3:// prefix of evidence files; `env_var` names where it is configured."""

    env_var: str
    location: str | None = None

    def resolved(self) -> str | None:
        settings = Settings.from_env()
        if self.location:
            return self.location
        return {
            "EVIDENCE_GX_RESULTS": settings.gx_results,
            "EVIDENCE_DEPLOY_LOGS": settings.deploy_logs,
        }.get(self.env_var)

    def open(self, s3: S3Resource) -> Location | None:
        spec = self.resolved()
        if not spec:
            return None
        return open_location(spec, s3_client_factory=s3.get_client)


def default_resources() -> dict[str, Any]:
    return {
        "warehouse": WarehouseResource(),
        "mlflow": MlflowResource(),
        "s3": S3Resource(),
        "gx_results": EvidenceLocationResource(env_var="EVIDENCE_GX_RESULTS"),
        "deploy_logs": EvidenceLocationResource(env_var="EVIDENCE_DEPLOY_LOGS"),
    }
