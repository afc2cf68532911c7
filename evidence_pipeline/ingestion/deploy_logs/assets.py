"""Dagster asset `raw/deployment_events` and its check `deploy_logs_records_add_up`."""

import dagster as dg

from connectors.errors import SourceUnreachableError
from connectors.redaction import scrub
from evidence_pipeline.ingestion.accounting_check import records_add_up
from evidence_pipeline.ingestion.deploy_logs.ingest import (
    NOT_CONFIGURED,
    SOURCE,
    DeployLogIngestion,
    ingest_deploy_logs,
    record_not_ingested,
)
from evidence_pipeline.resources import EvidenceLocationResource, S3Resource, WarehouseResource
from evidence_pipeline.settings import utc_now
from evidence_pipeline.sql_files import sql_loader

load = sql_loader(__file__)

DEPLOYMENT_EVENTS = dg.AssetKey(["raw", "deployment_events"])
PREVIEW_COLUMNS = (
    "event_time",
    "event_type",
    "model_name",
    "model_version",
    "environment",
    "endpoint",
    "status",
    "event_id",
)
TABLE_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("event_id", "VARCHAR", description="unique per event"),
        dg.TableColumn("event_time", "TIMESTAMPTZ"),
        dg.TableColumn("event_type", "VARCHAR", description="lower case; unknown types kept"),
        dg.TableColumn("model_name", "VARCHAR"),
        dg.TableColumn("model_version", "VARCHAR"),
        dg.TableColumn("environment", "VARCHAR", description="lower case"),
        dg.TableColumn("endpoint", "VARCHAR", description="defaults to model_name"),
        dg.TableColumn("actor", "VARCHAR"),
        dg.TableColumn("approved_by", "VARCHAR"),
        dg.TableColumn("change_ticket", "VARCHAR"),
        dg.TableColumn("status", "VARCHAR", description="succeeded | failed"),
        dg.TableColumn("incident_id", "VARCHAR"),
        dg.TableColumn("details", "JSON"),
        dg.TableColumn("raw", "VARCHAR", description="the event as read (JSON text)"),
        dg.TableColumn("source_format", "VARCHAR", description="jsonl | cloudtrail"),
        dg.TableColumn("source_uri", "VARCHAR"),
        dg.TableColumn("source_line", "BIGINT", description="line, or CloudTrail record index"),
        dg.TableColumn("content_hash", "VARCHAR"),
        dg.TableColumn("ingested_at", "TIMESTAMPTZ"),
        dg.TableColumn("ingestion_id", "VARCHAR"),
    ]
)


def _markdown_preview(rows: list[tuple]) -> str:
    if not rows:
        return "_no new events_"
    header = "| " + " | ".join(PREVIEW_COLUMNS) + " |"
    rule = "|" + "---|" * len(PREVIEW_COLUMNS)
    lines = [
        "| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |"
        for row in rows
    ]
    return "\n".join([header, rule, *lines])


def _metadata(result: DeployLogIngestion) -> dict[str, object]:
    tally = result.tally
    metadata: dict[str, object] = {
        "status": result.status,
        "ingestion_id": result.ingestion_id,
        "location": result.location or "",
        "objects_listed": tally.objects_listed,
        "objects_read": tally.objects_read,
        "records_read": tally.records_read,
        "rows_landed": tally.rows_landed,
        "quarantined": tally.quarantined,
        "skipped": tally.skipped,
        "blank_lines": result.empty_lines,
        "dagster/row_count": tally.rows_landed,
        "dagster/column_schema": TABLE_SCHEMA,
        "events_by_type": dg.MetadataValue.json(result.events_by_type),
        "skip_reasons": dg.MetadataValue.json(result.skip_reasons),
        "new_events_preview": dg.MetadataValue.md(_markdown_preview(result.preview)),
    }
    if result.message:
        metadata["message"] = scrub(result.message)
    return metadata


@dg.asset(
    key=DEPLOYMENT_EVENTS,
    group_name="ingestion_deploy_logs",
    kinds={"s3", "duckdb"},
    description=(
        "Deployment, monitoring and incident events from JSON-lines logs and SageMaker "
        "CloudTrail files (EVIDENCE_DEPLOY_LOGS), with endpoint tags over time. Reads only "
        "objects not read before; bad input goes to `quarantine`."
    ),
)
def deployment_events(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    s3: S3Resource,
    deploy_logs: EvidenceLocationResource,
) -> dg.MaterializeResult:
    store = warehouse.get_warehouse()
    run_id = context.run.run_id
    location = deploy_logs.open(s3)
    if location is None:
        context.log.info(NOT_CONFIGURED)
        result = record_not_ingested(store, status="skipped", message=NOT_CONFIGURED, run_id=run_id)
        return dg.MaterializeResult(metadata=_metadata(result))
    started_at = utc_now()
    try:
        result = ingest_deploy_logs(store, location, run_id=run_id)
    except SourceUnreachableError as exc:
        # Record the failure (no evidence was written), then fail the asset with the error,
        # whose message names the endpoint and what to check.
        message = scrub(str(exc)) or "deployment logs could not be read"
        record_not_ingested(
            store,
            status="failed",
            message=message,
            location=location.uri,
            run_id=run_id,
            started_at=started_at,
        )
        raise
    context.log.info(scrub(f"{result.location}: {result.message}"))
    return dg.MaterializeResult(metadata=_metadata(result))


@dg.asset_check(
    asset=DEPLOYMENT_EVENTS,
    name=f"{SOURCE}_records_add_up",
    description="Records read = rows landed + quarantined + skipped, for the latest ingestion.",
)
def deploy_logs_records_add_up(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    return records_add_up(
        warehouse,
        "deployment-log",
        load("ingestion_run_for_check.sql"),
        {"source": SOURCE, "run_id": context.run.run_id},
    )


deploy_log_assets = [deployment_events]
deploy_log_checks = [deploy_logs_records_add_up]
