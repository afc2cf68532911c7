"""Build the demo's sample ML estate in a directory, and the environment that points at it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from evidence_pipeline.demo.attestations import write_attestations
from evidence_pipeline.demo.deploy_logs import write_deploy_logs
from evidence_pipeline.demo.gx_checkpoints import write_gx_validation_results
from evidence_pipeline.demo.registry import pre_training_validations, write_mlflow_registry
from evidence_pipeline.demo.timeline import Timeline
from evidence_pipeline.demo.training_validations import write_pre_training_validations

MARKER = ".evidence-demo"


@dataclass(frozen=True)
class DemoEstate:
    """Where the estate's parts are under `root`, and `env`: the pipeline's configuration."""

    root: Path

    @property
    def mlflow_dir(self) -> Path:
        return self.root / "mlflow"

    @property
    def mlflow_tracking_uri(self) -> str:
        return f"sqlite:///{self.mlflow_dir / 'mlflow.db'}"

    @property
    def gx_project(self) -> Path:
        return self.root / "great_expectations"

    @property
    def gx_results(self) -> Path:
        return self.gx_project / "gx" / "uncommitted" / "validations"

    @property
    def deploy_logs(self) -> Path:
        return self.root / "deploy-logs"

    @property
    def attestations(self) -> Path:
        return self.root / "attestations.yaml"

    @property
    def warehouse(self) -> Path:
        return self.root / "evidence.duckdb"

    @property
    def exists(self) -> bool:
        return (self.root / MARKER).exists()

    @property
    def env(self) -> dict[str, str]:
        return {
            "MLFLOW_TRACKING_URI": self.mlflow_tracking_uri,
            "EVIDENCE_GX_RESULTS": str(self.gx_results),
            "EVIDENCE_DEPLOY_LOGS": str(self.deploy_logs),
            "EVIDENCE_ATTESTATIONS": str(self.attestations),
            "EVIDENCE_WAREHOUSE": str(self.warehouse),
        }


def build_demo_estate(root: Path, *, now: datetime | None = None) -> DemoEstate:
    """Write the MLflow registry, GX results, deployment logs and attestations under `root`.

    `root` must not hold an earlier estate (the registry would be written twice). Instants are
    relative to `now` (default: the present), so the controls show the same mix of outcomes
    whenever the estate is built.
    """
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    timeline = Timeline.starting(now)
    estate = DemoEstate(root.expanduser().resolve())
    if estate.exists:
        raise FileExistsError(f"{estate.root} already holds a demo estate")
    estate.root.mkdir(parents=True, exist_ok=True)
    write_mlflow_registry(estate.mlflow_dir, timeline)
    written = write_gx_validation_results(estate.gx_project, now=timeline.now)
    if written.resolve() != estate.gx_results.resolve():
        raise RuntimeError(f"GX wrote its validation results to {written}, not {estate.gx_results}")
    write_pre_training_validations(estate.gx_project, pre_training_validations(timeline))
    write_deploy_logs(estate.deploy_logs, timeline)
    write_attestations(estate.attestations, timeline)
    (estate.root / MARKER).write_text(
        f"Demo estate built at {timeline.now.isoformat()} by `evidence-pipeline demo`.\n",
        encoding="utf-8",
    )
    return estate
