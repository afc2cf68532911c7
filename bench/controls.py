"""One control evaluation and a 90-day backfill, each timed on a copy of the full warehouse.

Both run in a child process with the project's own definitions, so the figures are the
evaluation's work (the child reports the seconds spent inside it, and the process's wall
time is kept beside them). The evaluation materialises the `evaluation_job` (the `controls`
group) once; the backfill materialises the control engine's partitioned `control_history`
asset for the 90 complete days before today as one run (its backfill policy is a single run),
which evaluates every rule as of the end of each day.
"""

from __future__ import annotations

import json
import math
import re
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
import dagster as dg
from evidence_pipeline.controls.assets import control_history
from evidence_pipeline.resources import default_resources
days = int(sys.argv[1])
today = datetime.now(UTC).date()
first, last = today - timedelta(days=days), today - timedelta(days=1)
started = time.perf_counter()
result = dg.materialize(
    [control_history],
    resources=default_resources(),
    instance=dg.DagsterInstance.ephemeral(),
    tags={
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    },
    raise_on_error=False,
)
print(json.dumps({"seconds": time.perf_counter() - started, "success": result.success,
                  "days": days, "first_day": first.isoformat(), "last_day": last.isoformat()}))
"""


def _child(code: str, env: dict[str, str], cwd: Path, log: Path, *args: str) -> dict[str, Any]:
    started = time.perf_counter()
    with open(log, "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdout=subprocess.PIPE,
            stderr=err,
            env=env,
            cwd=cwd,
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
    warehouse: Path, workdir: Path, env: dict[str, str], days: int = 90
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
    backfill = _child(_BACKFILL, backfill_env, repo, workdir / "backfill.log", str(days))
    backfill["rules_evaluated_day_by_day"] = rules_evaluated_day_by_day(workdir / "backfill.log")
    return evaluation, backfill


_FELL_BACK = re.compile(r"backfill: (\S+) (?:failed when run|cannot be run) for all the days")


def rules_evaluated_day_by_day(log: Path) -> list[str]:
    """The rules the backfill evaluated one day at a time (its log says which, and why): a
    shipped rule among them makes the backfill many times slower at full scale."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return sorted(set(_FELL_BACK.findall(text)))
