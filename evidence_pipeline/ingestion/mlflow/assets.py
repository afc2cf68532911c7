"""The MLflow registry ingestion multi-asset and its accounting check."""

from typing import Any

import dagster as dg

from connectors.errors import SourceUnreachableError
from connectors.mlflow_registry import MlflowRegistry
from connectors.redaction import scrub
from evidence_pipeline.controls.configuration import load_configuration_once
from evidence_pipeline.controls.errors import ControlConfigurationError
from evidence_pipeline.ingestion.accounting_check import records_add_up
from evidence_pipeline.ingestion.mlflow.ingest import (
    SOURCE,
    MlflowIngestionResult,
    ingest_registry,
    record_without_data,
    skip_unconfigured,
)
from evidence_pipeline.resources import MlflowResource, WarehouseResource
from evidence_pipeline.settings import Settings, SettingsError, utc_now
from evidence_pipeline.sql_files import sql_loader

load_sql = sql_loader(__file__)

REGISTERED_MODELS = dg.AssetKey(["raw", "mlflow_registered_models"])
MODEL_VERSIONS = dg.AssetKey(["raw", "mlflow_model_versions"])
RUNS = dg.AssetKey(["raw", "mlflow_runs"])
# Rule parameters that name a tag whose values are enumerated (stored in lower case).
ENUMERATED_TAG_PARAMETERS = ("risk_tier_tag", "validation_status_tag")

_HISTORY_COLUMNS = [
    dg.TableColumn("content_hash", "VARCHAR", "what tells a change: every column but timestamps"),
    dg.TableColumn("valid_from", "TIMESTAMPTZ", "creation in MLflow, or the run that saw a change"),
    dg.TableColumn("valid_to", "TIMESTAMPTZ", "NULL while current; set on change or deletion"),
    dg.TableColumn("observed_at", "TIMESTAMPTZ", "when this state was first seen"),
    dg.TableColumn("ingestion_id", "VARCHAR"),
]
REGISTERED_MODELS_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("name", "VARCHAR"),
        dg.TableColumn("description", "VARCHAR"),
        dg.TableColumn("tags", "MAP(VARCHAR, VARCHAR)", "trimmed; risk_tier in lower case"),
        dg.TableColumn("aliases", "MAP(VARCHAR, VARCHAR)", "alias -> version"),
        dg.TableColumn("created_at", "TIMESTAMPTZ"),
        dg.TableColumn("last_updated_at", "TIMESTAMPTZ"),
        *_HISTORY_COLUMNS,
    ]
)
MODEL_VERSIONS_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("name", "VARCHAR"),
        dg.TableColumn("version", "VARCHAR", 'a string: "3"'),
        dg.TableColumn("tags", "MAP(VARCHAR, VARCHAR)", "trimmed; validation_status lower case"),
        dg.TableColumn("aliases", "VARCHAR[]"),
        dg.TableColumn("status", "VARCHAR"),
        dg.TableColumn("current_stage", "VARCHAR"),
        dg.TableColumn("description", "VARCHAR"),
        dg.TableColumn("source", "VARCHAR"),
        dg.TableColumn("run_id", "VARCHAR", "the source run, kept even when it is not found"),
        dg.TableColumn("user_id", "VARCHAR"),
        dg.TableColumn("created_at", "TIMESTAMPTZ"),
        dg.TableColumn("last_updated_at", "TIMESTAMPTZ"),
        *_HISTORY_COLUMNS,
    ]
)
RUNS_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("run_id", "VARCHAR"),
        dg.TableColumn("found", "BOOLEAN", "false when the tracking server does not know it"),
        dg.TableColumn("experiment_id", "VARCHAR"),
        dg.TableColumn("run_name", "VARCHAR"),
        dg.TableColumn("status", "VARCHAR"),
        dg.TableColumn("lifecycle_stage", "VARCHAR"),
        dg.TableColumn("user_id", "VARCHAR"),
        dg.TableColumn("start_time", "TIMESTAMPTZ"),
        dg.TableColumn("end_time", "TIMESTAMPTZ"),
        dg.TableColumn("params", "MAP(VARCHAR, VARCHAR)"),
        dg.TableColumn("metrics", "MAP(VARCHAR, DOUBLE)", "latest value of each metric"),
        dg.TableColumn("tags", "MAP(VARCHAR, VARCHAR)"),
        dg.TableColumn("observed_at", "TIMESTAMPTZ"),
        dg.TableColumn("ingestion_id", "VARCHAR"),
    ]
)

NOT_CONFIGURED = (
    "MLflow is not configured (MLFLOW_TRACKING_URI is unset): nothing ingested; rules over "
    "registered models and model versions return no rows."
)


def _registry(mlflow: MlflowResource, uri: str) -> MlflowRegistry:
    return MlflowRegistry(
        uri,
        page_size=mlflow.page_size,
        run_batch_size=mlflow.run_batch_size,
        max_retries=mlflow.max_retries,
        timeout_seconds=mlflow.timeout_seconds,
    )


def _changes_markdown(
    result: MlflowIngestionResult, registry: MlflowRegistry | None, entry: str
) -> str:
    changes = [c for c in result.changes if c.entry == entry]
    if not changes:
        return f"No {entry} was created, changed or deleted in this run."
    lines = [f"| {entry} | change |", "|---|---|"]
    for change in changes:
        model = change.subject.split("/", 1)[0] if entry == "model version" else change.subject
        url = registry.model_page_url(model) if registry is not None else None
        subject = f"[{change.subject}]({url})" if url else change.subject
        lines.append(f"| {subject} | {change.change} |")
    kind = "registered_models" if entry == "registered model" else "model_versions"
    counts = result.change_counts.get(kind, {})
    total = counts.get("new", 0) + counts.get("changed", 0) + counts.get("deleted", 0)
    if total > len(changes):
        lines.append(f"\n{len(changes)} of {total} shown.")
    return "\n".join(lines)


def _accounting(result: MlflowIngestionResult) -> dict[str, Any]:
    tally = result.tally
    return {
        "status": result.status,
        "ingestion_id": result.ingestion_id,
        "location": result.location or "not configured",
        "records_read": tally.records_read,
        "rows_landed": tally.rows_landed,
        "quarantined": tally.quarantined,
        "skipped": tally.skipped,
    }


def _results(
    result: MlflowIngestionResult, registry: MlflowRegistry | None
) -> list[dg.MaterializeResult]:
    base = _accounting(result)
    rows = result.table_rows
    links: dict[str, Any] = {}
    if registry is not None and registry.is_http:
        links["mlflow_models_page"] = dg.MetadataValue.url(
            f"{registry.display_uri.rstrip('/')}/#/models"
        )

    def counts(kind: str) -> dict[str, Any]:
        c = result.change_counts.get(kind, {})
        return {f"entries_{k}": c.get(k, 0) for k in ("new", "changed", "unchanged", "deleted")}

    models_total, models_current = rows.get("mlflow_registered_models", (0, 0))
    versions_total, versions_current = rows.get("mlflow_model_versions", (0, 0))
    runs_total, runs_found = rows.get("mlflow_runs", (0, 0))
    return [
        dg.MaterializeResult(
            asset_key=REGISTERED_MODELS,
            metadata={
                **base,
                **counts("registered_models"),
                "dagster/row_count": models_total,
                "current_rows": models_current,
                "dagster/column_schema": REGISTERED_MODELS_SCHEMA,
                "changes": dg.MetadataValue.md(
                    _changes_markdown(result, registry, "registered model")
                ),
                **links,
            },
        ),
        dg.MaterializeResult(
            asset_key=MODEL_VERSIONS,
            metadata={
                **base,
                **counts("model_versions"),
                "dagster/row_count": versions_total,
                "current_rows": versions_current,
                "dagster/column_schema": MODEL_VERSIONS_SCHEMA,
                "changes": dg.MetadataValue.md(
                    _changes_markdown(result, registry, "model version")
                ),
                **links,
            },
        ),
        dg.MaterializeResult(
            asset_key=RUNS,
            metadata={
                **base,
                "dagster/row_count": runs_total,
                "runs_found": runs_found,
                "runs_fetched": result.runs_fetched,
                "runs_not_found": len(result.runs_not_found),
                "run_requests": result.run_requests,
                "dataset_inputs": rows.get("mlflow_run_dataset_inputs", (0, 0))[0],
                "dagster/column_schema": RUNS_SCHEMA,
            },
        ),
    ]


def _enumerated_tag_keys(
    mlflow: MlflowResource, context: dg.AssetExecutionContext
) -> tuple[str, ...]:
    """The tag keys whose values are enumerated (stored in lower case): the resource's, and the
    keys the control mappings name for them (an installation may rename `risk_tier` or
    `validation_status` through `EVIDENCE_MAPPINGS`)."""
    keys = {mlflow.risk_tier_tag, mlflow.validation_status_tag}
    try:
        configuration = load_configuration_once(Settings.from_env())
    except (ControlConfigurationError, SettingsError) as exc:
        context.log.warning(f"Tag keys from the control mappings not used: {exc}")
        return tuple(sorted(keys))
    for mapped in configuration.all_rules():
        for parameter in ENUMERATED_TAG_PARAMETERS:
            value = mapped.params.get(parameter)
            if isinstance(value, str) and value.strip():
                keys.add(value.strip())
    return tuple(sorted(keys))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            REGISTERED_MODELS,
            description="Registered models with their tags, aliases and history "
            "(warehouse table mlflow_registered_models).",
            kinds={"mlflow", "duckdb"},
        ),
        dg.AssetSpec(
            MODEL_VERSIONS,
            description="Model versions with their tags, aliases, status, source run and "
            "history (warehouse table mlflow_model_versions).",
            kinds={"mlflow", "duckdb"},
        ),
        dg.AssetSpec(
            RUNS,
            description="The source run of each model version: params, metrics, tags and "
            "dataset inputs (mlflow_runs, mlflow_run_dataset_inputs).",
            kinds={"mlflow", "duckdb"},
        ),
    ],
    group_name="ingestion_mlflow",
    name="mlflow_registry",
)
def mlflow_registry(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, mlflow: MlflowResource
):
    """Read the MLflow registry (MLFLOW_TRACKING_URI) and land what changed, with history."""
    store = warehouse.get_warehouse()
    uri = mlflow.resolved_uri()
    if not uri:
        context.log.warning(NOT_CONFIGURED)
        result = skip_unconfigured(store, context.run_id)
        yield from _results(result, None)
        return
    registry = _registry(mlflow, uri)
    context.log.info(f"Reading the MLflow registry at {registry.display_uri}")
    started_at = utc_now()
    try:
        result = ingest_registry(
            store,
            registry,
            run_id=context.run_id,
            enumerated_tag_keys=_enumerated_tag_keys(mlflow, context),
        )
    except SourceUnreachableError as exc:
        record_without_data(
            store,
            status="failed",
            message=str(exc),
            run_id=context.run_id,
            location=registry.display_uri,
            started_at=started_at,
        )
        raise
    context.log.info(scrub(result.message))
    if result.runs_not_found:
        context.log.warning(
            f"{len(result.runs_not_found)} source run(s) are not on the tracking server; "
            "their versions are stored with the run id (mlflow_runs.found = false)."
        )
    yield from _results(result, registry)


@dg.asset_check(
    asset=MODEL_VERSIONS,
    name="mlflow_records_add_up",
    description=(
        "Registry entries and runs read = rows landed + quarantined + skipped, and the "
        "warehouse holds exactly the rows the ingestion recorded."
    ),
)
def mlflow_records_add_up(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    return records_add_up(
        warehouse,
        "MLflow",
        load_sql("ingestion_run_for_check.sql"),
        {"run_id": context.run.run_id},
    )


mlflow_assets = [mlflow_registry]
mlflow_checks = [mlflow_records_add_up]
__all__ = ["SOURCE", "mlflow_assets", "mlflow_checks"]
