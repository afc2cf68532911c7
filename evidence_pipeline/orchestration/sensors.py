"""Sensors: start a run when a source has something new, and only once per change.

Each sensor lists its source (cheaply: object keys and version tokens, or the registry's
entries), compares a fingerprint with its cursor, and requests one run of `evidence_job`
restricted to that source's ingestion and the control evaluation downstream of it. The run key
is the fingerprint, so the same state of a source never starts two runs.
"""

import dagster as dg

from connectors.deploy_logs import DEPLOY_LOG_SUFFIXES
from connectors.gx_results import RESULT_SUFFIXES
from connectors.mlflow_registry import MlflowRegistry
from evidence_pipeline.jobs import evidence_job
from evidence_pipeline.orchestration.config import WAREHOUSE_WRITER_TAGS, OrchestrationSettings
from evidence_pipeline.orchestration.cursors import SourceCursor, objects_cursor, registry_cursor
from evidence_pipeline.resources import EvidenceLocationResource, MlflowResource, S3Resource

TRIGGER_TAG = "evidence/trigger"


def source_assets(context: dg.SensorEvaluationContext, group: str) -> list[dg.AssetKey] | None:
    """The assets of an ingestion group and everything downstream of it that is not
    partitioned (a backfill is started by a person); None (the whole job) when unknown."""
    repository = context.repository_def
    if repository is None:
        return None
    graph = repository.asset_graph
    keys = dg.AssetSelection.groups(group).downstream().resolve(graph)
    selected = sorted(k for k in keys if not graph.get(k).is_partitioned)
    return selected or None


def on_change(
    context: dg.SensorEvaluationContext, current: SourceCursor, group: str, what: str
) -> dg.SensorResult:
    """Request one run when the source's fingerprint moved; always store the new cursor."""
    previous = SourceCursor.from_json(context.cursor)
    if previous is not None and previous.fingerprint == current.fingerprint:
        return dg.SensorResult(
            skip_reason=dg.SkipReason(f"Nothing new: {current.entries} {what} as before."),
            cursor=current.to_json(),
        )
    if previous is None and current.entries == 0:
        return dg.SensorResult(
            skip_reason=dg.SkipReason(f"No {what} yet."), cursor=current.to_json()
        )
    change = (
        f"{current.entries} {what}, was {previous.entries}"
        if previous
        else f"{current.entries} {what} found"
    )
    context.log.info(f"{context.sensor_name}: {change}; requesting a run.")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=f"{context.sensor_name}:{current.fingerprint}",
                asset_selection=source_assets(context, group),
                tags={**WAREHOUSE_WRITER_TAGS, TRIGGER_TAG: context.sensor_name or "sensor"},
            )
        ],
        cursor=current.to_json(),
    )


def build_sensors(settings: OrchestrationSettings) -> list[dg.SensorDefinition]:
    common = {
        "job": evidence_job,
        "minimum_interval_seconds": settings.sensor_interval_seconds,
        "default_status": dg.DefaultSensorStatus.RUNNING,
    }

    @dg.sensor(
        name="deploy_logs_sensor",
        description="Ingest deployment logs and evaluate the controls when log files appear "
        "or change under EVIDENCE_DEPLOY_LOGS.",
        **common,
    )
    def deploy_logs_sensor(
        context: dg.SensorEvaluationContext, deploy_logs: EvidenceLocationResource, s3: S3Resource
    ) -> dg.SensorResult | dg.SkipReason:
        location = deploy_logs.open(s3)
        if location is None:
            return dg.SkipReason("EVIDENCE_DEPLOY_LOGS is not set: no deployment logs to watch.")
        current = objects_cursor(location.list_objects(DEPLOY_LOG_SUFFIXES))
        return on_change(context, current, "ingestion_deploy_logs", "deployment log files")

    @dg.sensor(
        name="gx_results_sensor",
        description="Ingest Great Expectations validation results and evaluate the controls "
        "when result files appear or change under EVIDENCE_GX_RESULTS.",
        **common,
    )
    def gx_results_sensor(
        context: dg.SensorEvaluationContext, gx_results: EvidenceLocationResource, s3: S3Resource
    ) -> dg.SensorResult | dg.SkipReason:
        location = gx_results.open(s3)
        if location is None:
            return dg.SkipReason("EVIDENCE_GX_RESULTS is not set: no validation results to watch.")
        current = objects_cursor(location.list_objects(RESULT_SUFFIXES))
        return on_change(context, current, "ingestion_gx", "validation result files")

    @dg.sensor(
        name="mlflow_registry_sensor",
        description="Ingest the MLflow registry and evaluate the controls when a registered "
        "model or model version is created, updated, tagged or deleted.",
        **common,
    )
    def mlflow_registry_sensor(
        context: dg.SensorEvaluationContext, mlflow: MlflowResource
    ) -> dg.SensorResult | dg.SkipReason:
        uri = mlflow.resolved_uri()
        if not uri:
            return dg.SkipReason("MLFLOW_TRACKING_URI is not set: no registry to watch.")
        registry = MlflowRegistry(
            uri,
            page_size=mlflow.page_size,
            max_retries=mlflow.max_retries,
            timeout_seconds=mlflow.timeout_seconds,
        )
        current = registry_cursor(registry.snapshot())
        return on_change(context, current, "ingestion_mlflow", "registry entries")

    return [deploy_logs_sensor, gx_results_sensor, mlflow_registry_sensor]
