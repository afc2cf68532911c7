"""The Great Expectations ingestion asset and its accounting check."""

import dagster as dg

from connectors.redaction import scrub
from evidence_pipeline.ingestion.accounting_check import records_add_up
from evidence_pipeline.ingestion.gx.ingest import (
    SOURCE,
    GxIngestion,
    ingest_gx_results,
    record_skipped,
)
from evidence_pipeline.resources import EvidenceLocationResource, S3Resource, WarehouseResource
from evidence_pipeline.sql_files import sql_loader

load_sql = sql_loader(__file__)

GX_VALIDATIONS_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("validation_id", "VARCHAR", "sha256 of the result file's bytes"),
        dg.TableColumn("data_asset", "VARCHAR", "<datasource_name>/<data_asset_name>"),
        dg.TableColumn("datasource_name", "VARCHAR"),
        dg.TableColumn("data_asset_name", "VARCHAR"),
        dg.TableColumn("suite_name", "VARCHAR", "the expectation suite validated"),
        dg.TableColumn(
            "validated_at", "TIMESTAMPTZ", "meta.validation_time, else meta.run_id.run_time"
        ),
        dg.TableColumn("success", "BOOLEAN"),
        dg.TableColumn("success_percent", "DOUBLE"),
        dg.TableColumn("evaluated_expectations", "BIGINT"),
        dg.TableColumn("successful_expectations", "BIGINT"),
        dg.TableColumn("unsuccessful_expectations", "BIGINT"),
        dg.TableColumn("failed_expectations", "VARCHAR[]", "types of the failed expectations"),
        dg.TableColumn("gx_format", "VARCHAR", "1.x or 0.x"),
        dg.TableColumn("gx_version", "VARCHAR"),
        dg.TableColumn("run_name", "VARCHAR"),
        dg.TableColumn("source_uri", "VARCHAR", "where the file was read"),
        dg.TableColumn("content_hash", "VARCHAR"),
        dg.TableColumn("ingested_at", "TIMESTAMPTZ"),
        dg.TableColumn("ingestion_id", "VARCHAR"),
    ]
)

NOT_CONFIGURED = (
    "Great Expectations is not configured (EVIDENCE_GX_RESULTS is unset): nothing ingested; "
    "rules over data assets return no rows."
)


def _preview_markdown(ingestion: GxIngestion) -> str:
    if not ingestion.preview:
        return "No new validation results."
    lines = [
        "| data asset | suite | validated at (UTC) | success | success % | failed expectations |",
        "|---|---|---|---|---|---|",
    ]
    for asset, suite, validated_at, success, percent, failed in ingestion.preview:
        percent_text = "" if percent is None else f"{percent:.1f}"
        lines.append(
            f"| {asset} | {suite} | {validated_at:%Y-%m-%d %H:%M:%S} | {success} | "
            f"{percent_text} | {', '.join(failed or [])} |"
        )
    shown = len(ingestion.preview)
    if ingestion.tally.rows_landed > shown:
        lines.append(f"\n{shown} of {ingestion.tally.rows_landed} new validations shown.")
    return "\n".join(lines)


def _metadata(ingestion: GxIngestion) -> dict[str, dg.MetadataValue | int | str]:
    tally = ingestion.tally
    return {
        "status": ingestion.status,
        "ingestion_id": ingestion.ingestion_id,
        "location": ingestion.location or "not configured",
        "objects_listed": tally.objects_listed,
        "objects_read": tally.objects_read,
        "records_read": tally.records_read,
        "rows_landed": tally.rows_landed,
        "quarantined": tally.quarantined,
        "skipped": tally.skipped,
        "dagster/row_count": ingestion.total_validations,
        "dagster/column_schema": GX_VALIDATIONS_SCHEMA,
        "new_validations": dg.MetadataValue.md(_preview_markdown(ingestion)),
    }


@dg.asset(
    key=["raw", "gx_validations"],
    group_name="ingestion_gx",
    kinds={"great_expectations", "duckdb"},
    description=(
        "Great Expectations validation results (GX 1.x and 0.x files) from EVIDENCE_GX_RESULTS, "
        "one row per validation, in the warehouse table gx_validations."
    ),
)
def gx_validations(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    s3: S3Resource,
    gx_results: EvidenceLocationResource,
) -> dg.MaterializeResult:
    store = warehouse.get_warehouse()
    location = gx_results.open(s3)
    if location is None:
        context.log.warning(NOT_CONFIGURED)
        ingestion = record_skipped(store, context.run_id, NOT_CONFIGURED)
    else:
        ingestion = ingest_gx_results(store, location, context.run_id)
        context.log.info(scrub(f"{ingestion.location}: {ingestion.message}"))
        if ingestion.tally.quarantined:
            context.log.warning(
                f"{ingestion.tally.quarantined} GX files quarantined; see the quarantine table "
                f"(source '{SOURCE}', ingestion_id '{ingestion.ingestion_id}')."
            )
    return dg.MaterializeResult(metadata=_metadata(ingestion))


@dg.asset_check(
    asset=gx_validations,
    name="gx_records_add_up",
    description=(
        "Files read = validations landed + files quarantined + duplicates skipped, and the "
        "warehouse holds exactly the rows the ingestion recorded."
    ),
)
def gx_records_add_up(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    return records_add_up(
        warehouse,
        "GX",
        load_sql("select_ingestion_run_tally.sql"),
        {"source": SOURCE, "run_id": context.run.run_id},
    )


gx_assets = [gx_validations]
gx_checks = [gx_records_add_up]
