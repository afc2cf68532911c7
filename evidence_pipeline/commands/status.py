"""`evidence-pipeline status`: the status of every control, grouped by objective, from the
published warehouse (read-only), now or as of a past instant; or one control's subjects."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from evidence_pipeline.controls.queries import control_statuses, control_subjects
from evidence_pipeline.settings import Settings, SettingsError, parse_instant
from evidence_pipeline.warehouse.store import Warehouse, WarehouseNotFoundError

CONTROL_COLUMNS = (
    "objective_id",
    "objective_title",
    "control_id",
    "title",
    "automation",
    "status",
    "effectiveness",
    "subjects_evaluated",
    "subjects_failing",
    "subjects_stale",
    "subjects_error",
    "attestation_status",
    "as_of",
)
SUBJECT_COLUMNS = (
    "control_id",
    "rule_id",
    "subject_type",
    "subject_id",
    "status",
    "reason",
    "evidence_ref",
    "backdated",
    "as_of",
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _as_json(rows: list[dict], columns: Sequence[str]) -> str:
    return json.dumps([{c: _json_value(r[c]) for c in columns} for r in rows], indent=2)


def _as_csv(rows: list[dict], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(row[c]) for c in columns])
    return out.getvalue()


def _table(rows: list[list[str]], header: Sequence[str], indent: str = "") -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = [indent + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    for row in rows:
        lines.append(indent + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    return [line.rstrip() for line in lines]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _controls_table(rows: list[dict]) -> str:
    if not any(r["status"] for r in rows):
        return "No evaluation found (at or before the instant asked). Run the pipeline first."
    header = ("control", "title", "status", "effectiveness", "failing", "stale", "subjects")
    lines = []
    as_of = max((r["as_of"] for r in rows if r["as_of"]), default=None)
    lines.append(f"Controls as of {_text(as_of)}")
    body = []
    for row in rows:
        body.append(
            [
                row["control_id"],
                row["title"],
                row["status"] or "not evaluated",
                _percent(row["effectiveness"]),
                _text(row["subjects_failing"]),
                _text(row["subjects_stale"]),
                _text(row["subjects_evaluated"]),
            ]
        )
    table = _table(body, header, indent="  ")
    lines.append(table[0])
    objective = None
    for row, line in zip(rows, table[1:], strict=True):
        if row["objective_id"] != objective:
            objective = row["objective_id"]
            lines.append(f"{row['objective_id']} {row['objective_title']}")
        lines.append(line)
    return "\n".join(lines)


def _subjects_table(control: dict, rows: list[dict]) -> str:
    head = (
        f"{control['control_id']} {control['title']}: {control['status'] or 'not evaluated'}"
        f" ({_percent(control['effectiveness']) or 'no effectiveness'}), as of "
        f"{_text(control['as_of'])}"
    )
    if not rows:
        return head + "\nNo per-subject results for this evaluation."
    body = [
        [r["status"], r["subject_type"] or "", r["subject_id"], r["rule_id"], r["reason"] or ""]
        for r in rows
    ]
    return "\n".join([head, *_table(body, ("status", "type", "subject", "rule", "reason"))])


def _warehouse(path: str | None) -> Warehouse:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    return Warehouse(
        path=Path(path) if path else settings.warehouse,
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
    )


@click.command("status")
@click.option(
    "--as-of",
    "as_of_text",
    metavar="INSTANT",
    help="Show the evaluation at or before this RFC 3339 instant (e.g. 2026-06-30T23:59:59Z).",
)
@click.option("--control", "control_id", metavar="A.x.y", help="List this control's subjects.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--warehouse",
    "warehouse_path",
    type=click.Path(dir_okay=False),
    help="The published warehouse (default: EVIDENCE_WAREHOUSE, else ./evidence.duckdb).",
)
def status_command(
    as_of_text: str | None,
    control_id: str | None,
    output_format: str,
    warehouse_path: str | None,
) -> None:
    """The status of every control, grouped by objective, with effectiveness and the number
    of failing subjects; or, with --control, that control's subjects with status and reason."""
    try:
        as_of = parse_instant(as_of_text, "--as-of") if as_of_text else None
    except SettingsError as exc:
        raise click.BadParameter(str(exc), param_hint="--as-of") from None
    warehouse = _warehouse(warehouse_path)
    try:
        with warehouse.reader() as con:
            statuses = control_statuses(con, as_of)
            if control_id is None:
                rows, columns = statuses, CONTROL_COLUMNS
            else:
                control = next((s for s in statuses if s["control_id"] == control_id), None)
                if control is None:
                    raise click.ClickException(f"unknown control {control_id!r}")
                rows, columns = control_subjects(con, control_id, as_of=as_of), SUBJECT_COLUMNS
    except WarehouseNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if output_format == "json":
        click.echo(_as_json(rows, columns))
    elif output_format == "csv":
        click.echo(_as_csv(rows, columns), nl=False)
    elif control_id is None:
        click.echo(_controls_table(rows))
    else:
        click.echo(_subjects_table(control, rows))
