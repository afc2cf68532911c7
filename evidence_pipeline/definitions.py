"""The Dagster code location: what the UI, the schedules and `evidence-pipeline run` load."""

from __future__ import annotations

import dagster as dg

from evidence_pipeline.controls.assets import control_assets
from evidence_pipeline.controls.checks import control_checks
from evidence_pipeline.ingestion.deploy_logs.assets import deploy_log_assets, deploy_log_checks
from evidence_pipeline.ingestion.gx.assets import gx_assets, gx_checks
from evidence_pipeline.ingestion.mlflow.assets import mlflow_assets, mlflow_checks
from evidence_pipeline.jobs import jobs
from evidence_pipeline.orchestration import schedules, sensors
from evidence_pipeline.orchestration.config import FreshnessSettings
from evidence_pipeline.orchestration.freshness import with_freshness
from evidence_pipeline.resources import default_resources

defs = dg.Definitions(
    assets=with_freshness(
        [*mlflow_assets, *gx_assets, *deploy_log_assets, *control_assets],
        FreshnessSettings.from_env(),
    ),
    asset_checks=[*mlflow_checks, *gx_checks, *deploy_log_checks, *control_checks],
    jobs=jobs,
    schedules=schedules,
    sensors=sensors,
    resources=default_resources(),
)
