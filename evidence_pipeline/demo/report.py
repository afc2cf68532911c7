"""What the demo's warehouse holds, told to the person who just built it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from evidence_pipeline.commands.run import describe_control_statuses
from evidence_pipeline.warehouse.store import Warehouse

Echo = Callable[[str], None]


def _relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT table_name, 'table' FROM duckdb_tables() WHERE schema_name = 'main' "
        "UNION ALL SELECT view_name, 'view' FROM duckdb_views() "
        "WHERE schema_name = 'main' AND NOT internal ORDER BY 1"
    ).fetchall()


def warehouse_contents(warehouse: Warehouse) -> dict[str, int]:
    """Row count of every table and view analysts see in the published warehouse."""
    with warehouse.reader() as con:
        return {
            name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name, _ in _relations(con)
        }


def print_warehouse_report(warehouse: Warehouse, echo: Echo) -> None:
    path: Path = warehouse.published_path
    echo("")
    echo(f"The evidence warehouse is {path}")
    counts = warehouse_contents(warehouse)
    with warehouse.reader() as con:
        echo("  rows per table and view:")
        for name, count in counts.items():
            echo(f"    {name:<34} {count:>7}")
        quarantine = con.execute(
            "SELECT source, count(*) FROM quarantine GROUP BY source ORDER BY source"
        ).fetchall()
        total = sum(n for _, n in quarantine)
        per_source = ", ".join(f"{source} {n}" for source, n in quarantine)
        echo(f"  quarantine: {total} record(s) set aside" + (f" ({per_source})" if total else ""))
        if "control_status_current" in counts:
            statuses = dict(
                con.execute(
                    "SELECT status, count(*) FROM control_status_current GROUP BY status"
                ).fetchall()
            )
            described = describe_control_statuses(statuses)
            echo(f"  controls: {described or 'not evaluated yet'}")
    echo("Open it with DuckDB (read-only, while the pipeline keeps writing its own copy):")
    echo(f"  duckdb -readonly {path} -c 'FROM control_status_current'")
    echo(
        f"  python -c \"import duckdb; duckdb.connect('{path}', read_only=True)"
        ".sql('FROM control_status_current').show()\""
    )
