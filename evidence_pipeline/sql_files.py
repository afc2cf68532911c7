"""SQL lives in `.sql` files beside the code that runs it, loaded by path and cached."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import duckdb


@cache
def load_sql(package_dir: str, name: str) -> str:
    """The text of `<package_dir>/sql/<name>`; `package_dir` is a module's `__file__` parent."""
    path = Path(package_dir) / "sql" / name
    return path.read_text(encoding="utf-8")


def sql_loader(module_file: str):
    """A loader bound to the `sql/` folder beside `module_file`: `load("merge_x.sql")`."""
    package_dir = str(Path(module_file).resolve().parent)

    def load(name: str) -> str:
        return load_sql(package_dir, name)

    return load


def run_script(con: duckdb.DuckDBPyConnection, text: str, params: dict[str, Any]) -> None:
    """Run each statement of a script, binding the named parameters that statement uses."""
    for statement in con.extract_statements(text):
        used = {name: params[name] for name in statement.named_parameters}
        con.execute(statement, used)
