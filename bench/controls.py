"""One control evaluation and a 90-day backfill, each timed on a copy of the full warehouse.

Both run in a child process with the project's own definitions, so the figures are the
evaluation's work (the child reports the seconds spent inside it, and the process's wall
time is kept beside them). The evaluation materialises the `evaluation_job` (the `controls`
group) once; the backfill calls the control engine's backfill for the 90 days before now.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.pipeline import TreeMemorySampler

_EVALUATE = """
import json, sys, time
import dagster as dg
from evidence_pipeline.definitions import defs
started = time.perf_counter()
result = defs.get_job_def("evaluation_job").execute_in_process(
    instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
)
print(json.dumps({"seconds": time.perf_counter() - started, "success": result.success}))
"""

_BACKFILL = """
import json, sys, time
from datetime import UTC, datetime, timedelta
from bench.controls import backfill_entry_point
entry = backfill_entry_point()
if entry is None:
    print(json.dumps({"seconds": None, "success": False,
                      "error": "the control engine has no backfill function yet"}))
    sys.exit(0)
started = time.perf_counter()
outcome = entry(days=90)
print(json.dumps({"seconds": time.perf_counter() - started, "success": True,
                  "outcome": outcome}, default=str))
"""


def backfill_entry_point() -> Any:
    """A callable `f(days=90)` that backfills every rule over the last `days` days in one
    process, from whatever the control engine provides; `None` when it provides nothing."""
    try:
        from evidence_pipeline.controls import backfill as module  # type: ignore[attr-defined]
    except ImportError:
        return None
    for name in ("run_backfill", "backfill", "backfill_days"):
        function = getattr(module, name, None)
        if callable(function):
            return _adapt(function)
    return None


def _adapt(function: Any) -> Any:
    import inspect
    from datetime import UTC, datetime, timedelta

    from evidence_pipeline.settings import Settings

    parameters = inspect.signature(function).parameters

    def call(days: int) -> Any:
        settings = Settings.from_env()
        end = datetime.now(UTC)
        kwargs: dict[str, Any] = {}
        if "days" in parameters:
            kwargs["days"] = days
        if "start" in parameters:
            kwargs["start"] = end - timedelta(days=days)
        if "end" in parameters:
            kwargs["end"] = end
        if "settings" in parameters:
            kwargs["settings"] = settings
        return function(**kwargs)

    return call


def _child(code: str, env: dict[str, str], cwd: Path, log: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=err, env=env, cwd=cwd
        )
        with TreeMemorySampler(process.pid) as sampler:
            out, _ = process.communicate()
    wall = time.perf_counter() - started
    report: dict[str, Any] = {}
    for line in reversed(out.decode(errors="replace").splitlines()):
        if line.startswith("{"):
            report = json.loads(line)
            break
    report.update(
        {
            "process_seconds": wall,
            "exit_code": process.returncode,
            "peak_rss_mib": sampler.peak_bytes / 2**20,
            "log": str(log),
        }
    )
    if report.get("seconds") is None:
        report["seconds"] = math.nan
    return report


def _copy_warehouse(warehouse: Path, target_dir: Path) -> Path:
    shutil.rmtree(target_dir, ignore_errors=True)
    target_dir.mkdir(parents=True)
    copy = target_dir / warehouse.name
    shutil.copyfile(warehouse, copy)
    return copy


def measure(
    warehouse: Path, workdir: Path, env: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    repo = Path(__file__).resolve().parent.parent
    evaluation_env = {
        **env,
        "EVIDENCE_WAREHOUSE": str(_copy_warehouse(warehouse, workdir / "evaluation")),
    }
    evaluation = _child(_EVALUATE, evaluation_env, repo, workdir / "evaluation.log")
    backfill_env = {
        **env,
        "EVIDENCE_WAREHOUSE": str(_copy_warehouse(warehouse, workdir / "backfill")),
    }
    backfill = _child(_BACKFILL, backfill_env, repo, workdir / "backfill.log")
    return evaluation, backfill
