"""The instant an evaluation is as of, and the options of evaluation history."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

import duckdb

from evidence_pipeline.settings import Settings, SettingsError, utc_now, validate_as_of
from evidence_pipeline.sql_files import sql_loader

load_sql = sql_loader(__file__)

DEFAULT_RESULTS_RETENTION_DAYS = 400
DEFAULT_HISTORY_START = "2025-01-01"
# On a run that only evaluates the controls: the Dagster run whose ingestion it follows (the
# evaluation is as of when that ingestion finished, as in a run that ingests and evaluates).
INGESTION_RUN_TAG = "evidence/ingestion_run_id"


def resolve_as_of(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    run_id: str | None,
    now: datetime | None = None,
) -> datetime:
    """`EVIDENCE_AS_OF` when set (a future instant is refused); otherwise when this run's
    ingestion finished (its latest `ingestion_runs.finished_at`); otherwise now."""
    now = now or utc_now()
    if settings.as_of is not None:
        return validate_as_of(settings.as_of, now)
    if run_id:
        finished = con.execute(load_sql("ingestion_finished_at.sql"), {"run_id": run_id}).fetchone()
        if finished and finished[0] is not None:
            return min(finished[0].astimezone(UTC), now)
    return now


def day_end(day: date) -> datetime:
    """A UTC day's last instant, 23:59:59.999999Z: what a day of history is evaluated as of."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def complete_days(start: datetime, end: datetime, now: datetime | None = None) -> list[date]:
    """The UTC days starting in [start, end) that have ended by now."""
    now = now or utc_now()
    first = start.astimezone(UTC).date()
    days = []
    current = first
    while datetime.combine(current, time.min, tzinfo=UTC) < end and day_end(current) < now:
        days.append(current)
        current += timedelta(days=1)
    return days


def results_retention_days() -> int:
    """`EVIDENCE_RESULTS_RETENTION_DAYS` (default 400): how long per-subject results are kept."""
    text = os.environ.get("EVIDENCE_RESULTS_RETENTION_DAYS", "").strip()
    if not text:
        return DEFAULT_RESULTS_RETENTION_DAYS
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise SettingsError(
            f"EVIDENCE_RESULTS_RETENTION_DAYS={text!r} is not a whole number of days (1 or more)"
        )
    return value


def history_start() -> str:
    """`EVIDENCE_HISTORY_START` (`YYYY-MM-DD`, default 2025-01-01): the first day a backfill
    of control history can choose."""
    text = os.environ.get("EVIDENCE_HISTORY_START", "").strip() or DEFAULT_HISTORY_START
    try:
        date.fromisoformat(text)
    except ValueError:
        raise SettingsError(f"EVIDENCE_HISTORY_START={text!r} is not a YYYY-MM-DD date") from None
    return text
