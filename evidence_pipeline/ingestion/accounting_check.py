"""The `<source>_records_add_up` asset check every ingestion carries.

It reads the ingestion row of the Dagster run (else the latest) with what the warehouse really
holds for it, and passes when records read = rows landed + quarantined + skipped and the tables
and the quarantine hold exactly the rows the ingestion says it wrote.
"""

import dagster as dg

from evidence_pipeline.resources import WarehouseResource
from evidence_pipeline.warehouse.store import WarehouseNotFoundError


def records_add_up(
    warehouse: WarehouseResource, source_label: str, sql: str, params: dict[str, object]
) -> dg.AssetCheckResult:
    """`sql` returns one row: ingestion_id, status, records_read, rows_landed, quarantined,
    skipped, rows in the source's tables for the ingestion, rows in quarantine for it."""
    try:
        with warehouse.get_warehouse().reader() as con:
            row = con.execute(sql, params).fetchone()
    except WarehouseNotFoundError as exc:
        return dg.AssetCheckResult(passed=False, description=str(exc))
    if row is None:
        return dg.AssetCheckResult(
            passed=False, description=f"No {source_label} ingestion recorded yet."
        )
    ingestion_id, status, read, landed, quarantined, skipped, in_tables, in_quarantine = row
    adds_up = read == landed + quarantined + skipped
    matches_warehouse = (in_tables, in_quarantine) == (landed, quarantined)
    return dg.AssetCheckResult(
        passed=bool(adds_up and matches_warehouse),
        metadata={
            "ingestion_id": ingestion_id,
            "status": status,
            "records_read": read,
            "rows_landed": landed,
            "quarantined": quarantined,
            "skipped": skipped,
            "rows_in_warehouse": in_tables,
            "rows_in_quarantine": in_quarantine,
        },
        description=(
            f"read {read} = landed {landed} + quarantined {quarantined} + skipped {skipped}"
            if adds_up and matches_warehouse
            else f"does not add up: read {read}, landed {landed} (the warehouse holds "
            f"{in_tables}), quarantined {quarantined} (the quarantine holds {in_quarantine}), "
            f"skipped {skipped}"
        ),
    )
