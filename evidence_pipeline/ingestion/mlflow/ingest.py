"""Land the MLflow registry in the warehouse with its history, in one transaction.

One ingestion:
1. reads the run ids already stored, then the whole registry (models and versions, paged)
   and, while paging, the source runs of the versions whose run is not stored yet, in batches
   (MLflow is read outside the writer lock, so other sources can write meanwhile);
2. in one transaction: stages the snapshot (Arrow tables), classifies every entry as new,
   changed, unchanged or deleted by comparing content hashes with the current rows, closes
   the rows of changed and deleted entries at this ingestion's observed instant, opens rows
   for new and changed entries, stores the new runs, and records the `ingestion_runs` row.

A failure before the commit leaves the warehouse as it was; a rerun then does what a clean
run would have done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pyarrow as pa

from connectors.mlflow_registry import MlflowRegistry, RegistrySnapshot, RunLookup
from evidence_pipeline.ingestion.accounting import (
    IngestionTally,
    new_ingestion_id,
    record_ingestion_run,
)
from evidence_pipeline.ingestion.mlflow.arrow_tables import (
    dataset_inputs_table,
    model_versions_table,
    registered_models_table,
    runs_table,
)
from evidence_pipeline.settings import utc_now
from evidence_pipeline.sql_files import run_script, sql_loader
from evidence_pipeline.warehouse.store import Warehouse, WarehouseNotFoundError

SOURCE = "mlflow"
DEFAULT_ENUMERATED_TAG_KEYS = ("risk_tier", "validation_status")
CHANGE_PREVIEW_LIMIT = 50

load_sql = sql_loader(__file__)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EntryChange:
    entry: str  # registered model | model version
    subject: str  # name, or name/version
    change: str  # new | changed | deleted


@dataclass
class MlflowIngestionResult:
    ingestion_id: str
    status: str  # succeeded | skipped
    location: str | None
    message: str
    tally: IngestionTally
    observed_at: datetime
    registry_requests: int = 0
    run_requests: int = 0
    runs_fetched: int = 0
    runs_not_found: list[str] = field(default_factory=list)
    change_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    changes: list[EntryChange] = field(default_factory=list)
    table_rows: dict[str, tuple[int, int]] = field(default_factory=dict)


BeforeCommit = Callable[[duckdb.DuckDBPyConnection], None]


def stored_run_ids(warehouse: Warehouse) -> set[str]:
    """The run ids in the published warehouse (none when there is no warehouse yet)."""
    try:
        with warehouse.reader() as con:
            return {row[0] for row in con.execute(load_sql("stored_run_ids.sql")).fetchall()}
    except (WarehouseNotFoundError, duckdb.CatalogException):
        return set()


def record_without_data(
    warehouse: Warehouse,
    *,
    status: str,
    message: str,
    run_id: str | None,
    location: str | None,
    started_at: datetime,
) -> str:
    """Record a skipped or failed ingestion (no data written) and return its id."""
    ingestion_id = new_ingestion_id(SOURCE)
    with warehouse.writer() as con:
        con.execute("BEGIN TRANSACTION")
        record_ingestion_run(
            con,
            ingestion_id=ingestion_id,
            run_id=run_id,
            source=SOURCE,
            location=location,
            started_at=started_at,
            status=status,
            tally=IngestionTally(),
            message=message,
        )
        con.execute("COMMIT")
    return ingestion_id


def skip_unconfigured(warehouse: Warehouse, run_id: str | None) -> MlflowIngestionResult:
    started_at = utc_now()
    message = "MLFLOW_TRACKING_URI is not set: the MLflow registry was not read."
    ingestion_id = record_without_data(
        warehouse,
        status="skipped",
        message=message,
        run_id=run_id,
        location=None,
        started_at=started_at,
    )
    return MlflowIngestionResult(
        ingestion_id=ingestion_id,
        status="skipped",
        location=None,
        message=message,
        tally=IngestionTally(),
        observed_at=started_at,
    )


def ingest_registry(
    warehouse: Warehouse,
    registry: MlflowRegistry,
    *,
    run_id: str | None = None,
    enumerated_tag_keys: tuple[str, ...] = DEFAULT_ENUMERATED_TAG_KEYS,
    before_commit: BeforeCommit | None = None,
) -> MlflowIngestionResult:
    """Read the registry and land what changed; `before_commit` runs just before the commit."""
    observed_at = utc_now()
    ingestion_id = new_ingestion_id(SOURCE)
    tally = IngestionTally()

    snapshot, lookup = registry.read(known_run_ids=stored_run_ids(warehouse))
    tally.objects_listed = snapshot.requests
    if lookup.missing_run_ids:
        log.warning(
            "%d source run(s) are not on the tracking server; their versions land with the run "
            "id kept: %s",
            len(lookup.missing_run_ids),
            ", ".join(lookup.missing_run_ids[:10]),
        )

    result = MlflowIngestionResult(
        ingestion_id=ingestion_id,
        status="succeeded",
        location=registry.display_uri,
        message="",
        tally=tally,
        observed_at=observed_at,
        registry_requests=snapshot.requests,
        run_requests=lookup.requests,
        runs_fetched=len(lookup.runs),
        runs_not_found=lookup.missing_run_ids,
    )
    with warehouse.writer() as con:
        con.execute("BEGIN TRANSACTION")
        tally.records_read = (
            len(snapshot.registered_models) + len(snapshot.model_versions) + len(lookup.runs)
        )
        tally.objects_read = result.registry_requests + result.run_requests
        newer = con.execute(load_sql("newer_ingestion.sql"), {"observed_at": observed_at})
        newer_started_at = newer.fetchone()[0]
        if newer_started_at is not None:
            # Two ingestions overlapped and the later one landed first: merging this older
            # snapshot would record the registry going back in time. Nothing is landed.
            tally.skipped = tally.records_read
            result.message = (
                f"not merged: an ingestion that started later ({newer_started_at.isoformat()}) "
                "has already landed the registry; what this one read is older"
            )
            log.warning(result.message)
        else:
            _merge(con, snapshot, lookup, result, enumerated_tag_keys)
            counts = result.change_counts
            result.message = (
                f"{len(snapshot.registered_models)} registered models, "
                f"{len(snapshot.model_versions)} model versions, {len(lookup.runs)} new source "
                f"runs read; new/changed/deleted: models {_ncd(counts, 'registered_models')}, "
                f"versions {_ncd(counts, 'model_versions')}"
            )
        if before_commit is not None:
            before_commit(con)
        record_ingestion_run(
            con,
            ingestion_id=ingestion_id,
            run_id=run_id,
            source=SOURCE,
            location=registry.display_uri,
            started_at=observed_at,
            status="succeeded",
            tally=tally,
            message=result.message,
        )
        con.execute("COMMIT")
        result.table_rows = {
            name: (total, current)
            for name, total, current in con.execute(load_sql("table_row_counts.sql")).fetchall()
        }
    return result


def _ncd(counts: dict[str, dict[str, int]], entries: str) -> str:
    c = counts.get(entries, {})
    return f"{c.get('new', 0)}/{c.get('changed', 0)}/{c.get('deleted', 0)}"


def _merge(
    con: duckdb.DuckDBPyConnection,
    snapshot: RegistrySnapshot,
    lookup: RunLookup,
    result: MlflowIngestionResult,
    enumerated_tag_keys: tuple[str, ...],
) -> None:
    """Stage the snapshot and merge it into the history tables (inside the caller's transaction)."""
    tally = result.tally
    params = {"observed_at": result.observed_at, "ingestion_id": result.ingestion_id}
    keys = {"enumerated_tag_keys": list(enumerated_tag_keys)}

    fetched: dict[str, pa.Table] = {
        "fetched_registered_models": registered_models_table(snapshot.registered_models),
        "fetched_model_versions": model_versions_table(snapshot.model_versions),
        "fetched_runs": runs_table(lookup.runs),
        "fetched_dataset_inputs": dataset_inputs_table(lookup.runs),
    }
    for name, table in fetched.items():
        con.register(name, table)
    try:
        con.execute(load_sql("stage_registered_models.sql"), keys)
        con.execute(load_sql("stage_model_versions.sql"), keys)
        con.execute(load_sql("classify_registered_models.sql"), {"observed_at": result.observed_at})
        con.execute(load_sql("classify_model_versions.sql"), {"observed_at": result.observed_at})
        con.execute(load_sql("close_registered_models.sql"))
        con.execute(load_sql("close_model_versions.sql"))
        con.execute(load_sql("insert_registered_models.sql"), params)
        con.execute(load_sql("insert_model_versions.sql"), params)
        run_script(con, load_sql("delete_unfinished_runs.sql"), {})
        runs_landed = con.execute(load_sql("insert_runs.sql"), params).fetchone()[0]
        con.execute(
            load_sql("insert_missing_runs.sql"),
            {**params, "missing_run_ids": lookup.missing_run_ids},
        )
        con.execute(load_sql("insert_run_dataset_inputs.sql"), params)
    finally:
        for name in fetched:
            con.unregister(name)

    counts: dict[str, dict[str, int]] = {}
    for entries, change, n in con.execute(load_sql("change_counts.sql")).fetchall():
        counts.setdefault(entries, {})[change] = n
    result.change_counts = counts
    result.changes = [
        EntryChange(entry, subject, change)
        for entry, subject, change in con.execute(
            load_sql("change_summary.sql"), {"row_limit": CHANGE_PREVIEW_LIMIT}
        ).fetchall()
    ]

    landed = sum(c.get("new", 0) + c.get("changed", 0) for c in counts.values())
    unchanged = sum(c.get("unchanged", 0) for c in counts.values())
    tally.rows_landed = landed + runs_landed
    # A run read but already stored (another ingestion stored it meanwhile) is skipped.
    tally.skipped = unchanged + (len(lookup.runs) - runs_landed)
