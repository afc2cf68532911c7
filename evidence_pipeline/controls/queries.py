"""Reading evaluations back: the current (or as-of) status of every control and the subjects
behind one control. Used by the asset checks and the `status` command; any connection works
(the published warehouse read-only, or the writer's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from evidence_pipeline.controls.configuration import FRAMEWORK
from evidence_pipeline.sql_files import sql_loader

load_sql = sql_loader(__file__)
NO_LIMIT = 2**62


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def control_statuses(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime | None = None,
    framework: str = FRAMEWORK,
) -> list[dict]:
    """Every catalog control, in catalog order, with its roll-up in the latest evaluation at or
    before `as_of` (the current one when None). Roll-up fields are None if never evaluated."""
    return _rows(
        con, load_sql("queries/status_as_of.sql"), {"framework": framework, "as_of": as_of}
    )


def current_effectiveness(con: duckdb.DuckDBPyConnection, framework: str = FRAMEWORK) -> list[dict]:
    """The current roll-up of every control (as `control_status_current`, with catalog fields)."""
    return control_statuses(con, None, framework)


def control_subjects(
    con: duckdb.DuckDBPyConnection,
    control_id: str,
    *,
    as_of: datetime | None = None,
    failing_only: bool = False,
    limit: int | None = None,
    framework: str = FRAMEWORK,
) -> list[dict]:
    """The subjects of one control in its latest evaluation at or before `as_of` (current when
    None): failing, stale and error rows first. Empty if never evaluated or past retention."""
    status = next(
        (s for s in control_statuses(con, as_of, framework) if s["control_id"] == control_id),
        None,
    )
    if status is None or status["evaluation_id"] is None:
        return []
    return _rows(
        con,
        load_sql("queries/control_subjects.sql"),
        {
            "evaluation_id": status["evaluation_id"],
            "control_id": control_id,
            "failing_only": failing_only,
            "row_limit": NO_LIMIT if limit is None else limit,
        },
    )


def failing_subjects(
    con: duckdb.DuckDBPyConnection,
    control_id: str,
    *,
    limit: int | None = None,
    framework: str = FRAMEWORK,
) -> list[dict]:
    """The current failing (fail, stale, error) subjects of one control."""
    return control_subjects(con, control_id, failing_only=True, limit=limit, framework=framework)
