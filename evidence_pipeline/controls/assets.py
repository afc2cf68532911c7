"""Dagster assets of control evaluation: the catalog in force, the evaluation of each run, and
the history of past days (a backfill started from the UI for a range runs as one run)."""

import warnings
from collections.abc import Mapping
from typing import Any

import dagster as dg

from evidence_pipeline.controls.as_of import (
    INGESTION_RUN_TAG,
    complete_days,
    day_end,
    history_start,
    resolve_as_of,
    results_retention_days,
)
from evidence_pipeline.controls.backfill import evaluate_many
from evidence_pipeline.controls.configuration import ControlConfiguration, load_configuration_once
from evidence_pipeline.controls.evaluation import (
    EvaluationSummary,
    delete_expired_results,
    evaluate,
    format_instant,
    store_configuration_if_changed,
)
from evidence_pipeline.resources import WarehouseResource
from evidence_pipeline.settings import Settings, utc_now

CONTROL_CATALOG = dg.AssetKey(["evidence", "control_catalog"])
CONTROL_RESULTS = dg.AssetKey(["evidence", "control_results"])
CONTROL_HISTORY = dg.AssetKey(["evidence", "control_history"])
INGESTION_ASSETS = [
    dg.AssetKey(["raw", "mlflow_registered_models"]),
    dg.AssetKey(["raw", "mlflow_model_versions"]),
    dg.AssetKey(["raw", "mlflow_runs"]),
    dg.AssetKey(["raw", "gx_validations"]),
    dg.AssetKey(["raw", "deployment_events"]),
]
CONTROLS_GROUP = "controls"
HISTORY_GROUP = "controls_history"
history_partitions = dg.DailyPartitionsDefinition(start_date=history_start(), timezone="UTC")


def _configuration_metadata(configuration: ControlConfiguration) -> dict[str, Any]:
    automation: dict[str, int] = {}
    for control in configuration.controls():
        automation[control.automation] = automation.get(control.automation, 0) + 1
    return {
        "framework": configuration.framework,
        "controls": len(configuration.catalog.controls),
        "controls_by_automation": automation,
        "rules_mapped": sum(1 for _ in configuration.all_rules()),
        "attestations": len(configuration.attestations),
    }


def _summary_metadata(summary: EvaluationSummary) -> Mapping[str, Any]:
    return {
        "evaluation_id": summary.evaluation_id,
        "as_of": format_instant(summary.as_of),
        "controls_by_status": summary.controls_by_status,
        "subjects_by_status": summary.subjects_by_status,
        "rules_run": summary.rules_run,
        "rules_failed": dg.MetadataValue.json(summary.failed_rules),
    }


@dg.asset(
    key=CONTROL_CATALOG,
    group_name=CONTROLS_GROUP,
    kinds={"duckdb"},
    description="The Annex A catalog, the rules mapped to each control and the attestations, "
    "validated and stored in control_catalog, control_rule_mappings, control_attestations.",
)
def control_catalog(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    configuration = load_configuration_once(Settings.from_env())
    with warehouse.get_warehouse().writer() as con:
        # unchanged since the last run: nothing written, so nothing to publish
        con.execute("BEGIN TRANSACTION")
        stored = store_configuration_if_changed(con, configuration, utc_now())
        con.execute("COMMIT")
    return dg.MaterializeResult(
        metadata={**_configuration_metadata(configuration), "configuration_changed": stored}
    )


@dg.asset(
    key=CONTROL_RESULTS,
    deps=[*INGESTION_ASSETS, CONTROL_CATALOG],
    group_name=CONTROLS_GROUP,
    kinds={"duckdb"},
    description="Every control evaluated per subject as of the end of this run's ingestion "
    "(or EVIDENCE_AS_OF): control_results, control_effectiveness.",
)
def control_results(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    settings = Settings.from_env()
    configuration = load_configuration_once(settings)
    retention = results_retention_days()
    with warehouse.get_warehouse().writer() as con:
        # a run that only evaluates, after a run whose ingestion failed, names that run
        ingestion_run_id = context.run.tags.get(INGESTION_RUN_TAG, context.run_id)
        as_of = resolve_as_of(con, settings, ingestion_run_id)
        summary = evaluate(con, configuration, as_of, run_id=context.run_id, trigger="run")
        expired = delete_expired_results(con, retention)
    if summary.failed_rules:
        context.log.warning(f"Rules that could not be evaluated: {summary.failed_rules}")
    return dg.MaterializeResult(
        metadata={**_summary_metadata(summary), "expired_results_deleted": expired}
    )


def _evaluate_history(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Evaluate each complete UTC day of the launched range, in this one run."""
    window = context.partition_time_window
    days = complete_days(window.start, window.end)
    configuration = load_configuration_once(Settings.from_env())
    retention = results_retention_days()
    with warehouse.get_warehouse().writer() as con:
        summaries = evaluate_many(
            con,
            configuration,
            [day_end(day) for day in days],
            run_id=context.run_id,
            trigger="backfill",
        )
        expired = delete_expired_results(con, retention)
    for summary in summaries:
        context.log.info(f"Evaluated {format_instant(summary.as_of)}: {summary.controls_by_status}")
    return dg.MaterializeResult(
        metadata={
            "days_evaluated": len(summaries),
            "first_as_of": format_instant(summaries[0].as_of) if summaries else "",
            "last_as_of": format_instant(summaries[-1].as_of) if summaries else "",
            "expired_results_deleted": expired,
        }
    )


with warnings.catch_warnings():
    # `backfill_policy` is beta in Dagster 1.13; a single-run backfill is this asset's point.
    warnings.simplefilter("ignore", dg.BetaWarning)
    control_history = dg.asset(
        key=CONTROL_HISTORY,
        deps=[CONTROL_CATALOG],
        group_name=HISTORY_GROUP,
        kinds={"duckdb"},
        partitions_def=history_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        description="Controls evaluated for past days from stored evidence, each day as of its "
        "last instant (23:59:59.999999Z). Launch a range from the UI: it runs as one run.",
    )(_evaluate_history)


control_assets = [control_catalog, control_results, control_history]
