"""What a rule runs in: the helper relations prepared for one `as_of`, with external access off.

The helpers (`sql/helpers/*.sql`, applied in file order) are temporary tables and macros of the
connection, so rules read them unqualified and no rule repeats the as-of logic
(docs/controls.md, section 3).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from evidence_pipeline.sql_files import run_script

HELPERS_DIR = Path(__file__).resolve().parent / "sql" / "helpers"
RULE_ROW_PROBLEM_SQL = HELPERS_DIR.parent / "rule_row_problem.sql"

# Parameters every rule may use besides its own.
ENGINE_PARAMETERS = frozenset({"as_of", "production_environments"})


def helper_scripts() -> list[Path]:
    return sorted(HELPERS_DIR.glob("*.sql"))


def engine_parameters(
    as_of: datetime, production_environments: tuple[str, ...] | list[str]
) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "production_environments": [e.strip().lower() for e in production_environments],
    }


def prepare_helpers(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    production_environments: tuple[str, ...] | list[str],
) -> None:
    """(Re)build every helper relation for `as_of` on this connection."""
    params = engine_parameters(as_of, production_environments)
    for path in helper_scripts():
        run_script(con, path.read_text(encoding="utf-8"), params)
    define_rule_row_checks(con)


def define_rule_row_checks(con: duckdb.DuckDBPyConnection) -> None:
    """The `rule_row_problem` macro with which rule rows are checked before they are stored."""
    con.execute(RULE_ROW_PROBLEM_SQL.read_text(encoding="utf-8"))


def disable_external_access(con: duckdb.DuckDBPyConnection) -> None:
    """Forbid files, network and extensions on this database from now on (it cannot be undone
    while the database is open: the writer's connection closes after the evaluation)."""
    enabled = con.execute("SELECT current_setting('enable_external_access')").fetchone()[0]
    if enabled:
        con.execute("SET enable_external_access = false")
