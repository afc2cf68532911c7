"""Land new Great Expectations validation results in the warehouse, in one transaction.

1. List the `.json` objects of the store (a directory or an S3 prefix).
2. Keep those not yet read, or changed since (`ingested_objects`, by URI and version token).
3. Read and parse them outside the writer lock, so other sources are not held up.
4. In one transaction: land the validations (set-based, from an Arrow table), record each
   object read, the quarantine and the `ingestion_runs` row. A crash before `COMMIT` leaves
   nothing behind; the next run reads the same objects again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import pyarrow as pa

from connectors.gx_results import GxValidation, list_result_files, read_result_files
from connectors.locations import Location
from connectors.redaction import redact_uri, scrub
from evidence_pipeline.ingestion.accounting import (
    IngestionTally,
    new_ingestion_id,
    record_ingestion_run,
)
from evidence_pipeline.settings import utc_now
from evidence_pipeline.sql_files import sql_loader
from evidence_pipeline.warehouse.store import Warehouse, WarehouseNotFoundError

SOURCE = "gx"
PREVIEW_ROWS = 20

load_sql = sql_loader(__file__)
log = logging.getLogger(__name__)

_VALIDATION_SCHEMA = pa.schema(
    [
        ("validation_id", pa.string()),
        ("datasource_name", pa.string()),
        ("data_asset_name", pa.string()),
        ("suite_name", pa.string()),
        ("validated_at", pa.timestamp("us", tz="UTC")),
        ("success", pa.bool_()),
        ("success_percent", pa.float64()),
        ("evaluated_expectations", pa.int64()),
        ("successful_expectations", pa.int64()),
        ("unsuccessful_expectations", pa.int64()),
        ("failed_expectations", pa.list_(pa.string())),
        ("gx_format", pa.string()),
        ("gx_version", pa.string()),
        ("run_name", pa.string()),
        ("source_uri", pa.string()),
    ]
)
_OBJECT_SCHEMA = pa.schema(
    [
        ("uri", pa.string()),
        ("version_token", pa.string()),
        ("size", pa.int64()),
        ("modified_at", pa.timestamp("us", tz="UTC")),
        ("validation_id", pa.string()),
        ("quarantined", pa.int64()),
    ]
)


@dataclass
class GxIngestion:
    """What one ingestion did: its id, status, accounting and a preview of what landed."""

    ingestion_id: str
    status: str  # succeeded | skipped | failed
    location: str | None
    tally: IngestionTally
    message: str
    total_validations: int = 0
    preview: list[tuple] = field(default_factory=list)


def _validations_table(validations: list[GxValidation]) -> pa.Table:
    names = _VALIDATION_SCHEMA.names
    columns = {name: [getattr(v, name) for v in validations] for name in names}
    return pa.table(columns, schema=_VALIDATION_SCHEMA)


def record_skipped(warehouse: Warehouse, run_id: str | None, message: str) -> GxIngestion:
    """Record that the source is not configured: a `skipped` run, nothing read."""
    ingestion_id = new_ingestion_id(SOURCE)
    tally = IngestionTally()
    started = utc_now()
    with warehouse.writer() as con:
        con.execute("BEGIN TRANSACTION")
        record_ingestion_run(
            con,
            ingestion_id=ingestion_id,
            run_id=run_id,
            source=SOURCE,
            location=None,
            started_at=started,
            status="skipped",
            tally=tally,
            message=message,
        )
        con.execute("COMMIT")
    return GxIngestion(ingestion_id, "skipped", None, tally, message)


def record_failure(
    warehouse: Warehouse,
    *,
    ingestion_id: str,
    run_id: str | None,
    location: str,
    started_at: datetime,
    error: BaseException,
) -> None:
    """Record a failed ingestion (its row only: none of its data was written)."""
    with warehouse.writer() as con:
        con.execute("BEGIN TRANSACTION")
        record_ingestion_run(
            con,
            ingestion_id=ingestion_id,
            run_id=run_id,
            source=SOURCE,
            location=location,
            started_at=started_at,
            status="failed",
            tally=IngestionTally(),
            message=scrub(str(error)),
        )
        con.execute("COMMIT")


def _known_objects(warehouse: Warehouse) -> dict[str, str]:
    """URI -> version token of every GX object already ingested.

    Read from the published copy, without the writer lock, so that listing and reading the
    store does not wait for other sources' writes. Only GX ingestion writes GX rows and every
    writer publishes when it ends, so the published copy holds them all; should two GX
    ingestions overlap, the merge still lands each validation once.
    """
    query = load_sql("select_ingested_objects.sql")
    try:
        with warehouse.reader() as con:
            return dict(con.execute(query, {"source": SOURCE}).fetchall())
    except WarehouseNotFoundError:
        return {}
    except duckdb.Error:  # the published file is held open for writing by someone else
        with warehouse.writer(publish=False) as con:
            return dict(con.execute(query, {"source": SOURCE}).fetchall())


def ingest_gx_results(
    warehouse: Warehouse, location: Location, run_id: str | None = None
) -> GxIngestion:
    """Read what is new under `location` and land it; raises `SourceUnreachableError`."""
    ingestion_id = new_ingestion_id(SOURCE)
    started_at = utc_now()
    display = redact_uri(location.uri) or location.uri
    tally = IngestionTally()
    try:
        listed = list(list_result_files(location))
        tally.objects_listed = len(listed)

        known = _known_objects(warehouse)
        new_objects = [obj for obj in listed if known.get(obj.uri) != obj.version_token]

        validations: list[GxValidation] = []
        objects: dict[str, list] = {name: [] for name in _OBJECT_SCHEMA.names}
        for obj, outcome in read_result_files(location, new_objects):
            tally.objects_read += 1
            tally.records_read += 1
            is_validation = isinstance(outcome, GxValidation)
            if is_validation:
                validations.append(outcome)
            else:
                tally.add_quarantine(obj.uri, None, outcome.reason, outcome.raw)
            objects["uri"].append(obj.uri)
            objects["version_token"].append(obj.version_token)
            objects["size"].append(obj.size)
            objects["modified_at"].append(obj.modified_at)
            objects["validation_id"].append(outcome.validation_id if is_validation else None)
            objects["quarantined"].append(0 if is_validation else 1)
    except Exception as exc:
        record_failure(
            warehouse,
            ingestion_id=ingestion_id,
            run_id=run_id,
            location=location.uri,
            started_at=started_at,
            error=exc,
        )
        raise

    ingested_at = utc_now()
    params = {"ingestion_id": ingestion_id, "ingested_at": ingested_at}
    with warehouse.writer() as con:
        con.execute("BEGIN TRANSACTION")
        if tally.objects_read:
            con.register("gx_incoming", _validations_table(validations))
            con.register("gx_objects", pa.table(objects, schema=_OBJECT_SCHEMA))
            already = {
                uri
                for (uri,) in con.execute(
                    load_sql("select_objects_already_ingested.sql"), {"source": SOURCE}
                ).fetchall()
            }
            if already:
                tally.quarantine = [q for q in tally.quarantine if q.location not in already]
                tally.quarantined = len(tally.quarantine)
            tally.rows_landed = con.execute(
                load_sql("insert_gx_validations.sql"), params
            ).fetchone()[0]
            con.execute(load_sql("upsert_ingested_objects.sql"), {**params, "source": SOURCE})
            con.unregister("gx_incoming")
            con.unregister("gx_objects")
        tally.skipped = tally.records_read - tally.rows_landed - tally.quarantined
        message = (
            f"{tally.objects_listed} result files listed, {tally.objects_read} new or changed "
            f"read: {tally.rows_landed} validations landed, {tally.quarantined} files "
            f"quarantined, {tally.skipped} skipped (already in the warehouse)"
        )
        record_ingestion_run(
            con,
            ingestion_id=ingestion_id,
            run_id=run_id,
            source=SOURCE,
            location=location.uri,
            started_at=started_at,
            status="succeeded",
            tally=tally,
            message=message,
        )
        con.execute("COMMIT")
        total = con.execute(load_sql("count_gx_validations.sql")).fetchone()[0]
        preview = con.execute(
            load_sql("preview_ingested_validations.sql"),
            {"ingestion_id": ingestion_id, "limit": PREVIEW_ROWS},
        ).fetchall()
    return GxIngestion(ingestion_id, "succeeded", display, tally, message, total, preview)
