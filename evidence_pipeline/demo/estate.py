"""Build the demo's sample ML estate in a directory, and the environment that points at it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from evidence_pipeline.demo.attestations import write_attestations
from evidence_pipeline.demo.deploy_logs import DeployLogFiles, write_deploy_logs
from evidence_pipeline.demo.gx_checkpoints import write_gx_validation_results
from evidence_pipeline.demo.registry import write_mlflow_registry
from evidence_pipeline.demo.timeline import Timeline


@dataclass(frozen=True)
class DemoEstate:
    """Where the estate's parts are, and `env`: the configuration the pipeline runs with."""

    root: Path
    now: datetime
    mlflow_tracking_uri: str
    gx_results: Path
    deploy_logs: DeployLogFiles
    attestations: Path
    warehouse: Path

    @property
    def env(self) -> dict[str, str]:
        env = {
            "MLFLOW_TRACKING_URI": self.mlflow_tracking_uri,
            "EVIDENCE_DEPLOY_LOGS": str(self.deploy_logs.directory),
            "EVIDENCE_ATTESTATIONS": str(self.attestations),
            "EVIDENCE_GX_RESULTS": str(self.gx_results),
            "EVIDENCE_WAREHOUSE": str(self.warehouse),
        }
        return env


def build_demo_estate(root: Path, *, now: datetime | None = None) -> DemoEstate:
    """Write the MLflow registry, GX results, deployment logs and attestations under `root`.

    `root` must not hold an earlier estate (the registry would be written twice). Instants are
    relative to `now` (default: the present), so the controls show the same mix of outcomes
    whenever the estate is built.
    """
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    timeline = Timeline.starting(now)
    root = root.expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    tracking_uri = write_mlflow_registry(root / "mlflow", timeline)
    gx_results = write_gx_validation_results(root / "great_expectations", now=timeline.now)
    deploy_logs = write_deploy_logs(root / "deploy-logs", timeline)
    attestations = write_attestations(root / "attestations.yaml", timeline)
    return DemoEstate(
        root=root,
        now=timeline.now,
        mlflow_tracking_uri=tracking_uri,
        gx_results=gx_results,
        deploy_logs=deploy_logs,
        attestations=attestations,
        warehouse=root / "evidence.duckdb",
    )
