"""Running the pipeline as a whole process and reading what it recorded.

Each run is one `evidence-pipeline run` process (interpreter start included), with the
configuration in its environment only. While it runs, the resident memory of its whole process
tree (the process and every child) is sampled with psutil.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import psutil

# Variables of the project and of MLflow that must not leak from the caller's environment.
_CLEARED_PREFIXES = ("EVIDENCE_", "MLFLOW_TRACKING_", "MLFLOW_REGISTRY_", "DAGSTER_HOME")

# Fallback while the console script is not there: materialise every asset once, in process,
# with the project's own definitions (what `evidence-pipeline run` does).
_MATERIALIZE = """
import sys
import dagster as dg
from evidence_pipeline.definitions import defs
result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
    instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
)
sys.exit(0 if result.success else 1)
"""


def pipeline_command() -> list[str]:
    """`evidence-pipeline run` when the command line has it, else the same materialisation."""
    script = Path(sys.executable).parent / "evidence-pipeline"
    if script.exists():
        probe = subprocess.run(
            [str(script), "run", "--help"], capture_output=True, text=True, timeout=120
        )
        if probe.returncode == 0:
            return [str(script), "run"]
    return [sys.executable, "-c", _MATERIALIZE]


def clean_environment(overrides: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED_PREFIXES)}
    env.update(
        {
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "GX_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "true",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


@dataclass
class ProcessRun:
    label: str
    seconds: float
    exit_code: int
    peak_rss_mib: float
    log: Path
    load_average: float = 0.0
    ingestion: dict[str, dict[str, Any]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds,
            "exit_code": self.exit_code,
            "peak_rss_mib": self.peak_rss_mib,
            "load_average_1min_at_end": self.load_average,
            "ingestion": self.ingestion,
            "steps": step_seconds(self.log),
        }


class TreeMemorySampler:
    """Samples the resident set of a process and all its descendants; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self.timeline: list[tuple[float, int]] = []  # (seconds since start, bytes), every ~0.5 s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        started = time.perf_counter()
        last_kept = -1.0
        while not self._stop.is_set():
            sample = self._sample()
            self.peak_bytes = max(self.peak_bytes, sample)
            now = time.perf_counter() - started
            if now - last_kept >= 0.5:
                self.timeline.append((round(now, 2), sample))
                last_kept = now
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_pipeline(
    label: str, command: list[str], env: dict[str, str], log_dir: Path, cwd: Path
) -> ProcessRun:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{label}.log"
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        with TreeMemorySampler(process.pid) as sampler:
            exit_code = process.wait()
        seconds = time.perf_counter() - started
    (log_dir / f"{label}.rss.csv").write_text(
        "seconds,rss_mib\n" + "".join(f"{t},{b / 2**20:.0f}\n" for t, b in sampler.timeline)
    )
    return ProcessRun(
        label, seconds, exit_code, sampler.peak_bytes / 2**20, log_path, os.getloadavg()[0]
    )


_STEP = re.compile(r"^\s*\[\s*([0-9.]+)s\]\s+(\S+)\s+(started|succeeded|failed)\s*$")


def step_seconds(log: Path) -> dict[str, float]:
    """Per step, seconds from `started` to `succeeded`/`failed`, read from the progress lines
    `evidence-pipeline run` prints (`[  53.5s] raw/deployment_events  succeeded`). Unlike the
    `ingestion_runs` window, a step includes its commit, checkpoint and publication."""
    started: dict[str, float] = {}
    steps: dict[str, float] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = _STEP.match(line)
        if not match:
            continue
        at, name, what = float(match.group(1)), match.group(2), match.group(3)
        if what == "started":
            started[name] = at
        elif name in started:
            steps[name] = round(at - started[name], 3)
    return steps


def fresh_warehouse(root: Path, name: str) -> Path:
    directory = root / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory / "evidence.duckdb"


def latest_ingestions(warehouse: Path) -> dict[str, dict[str, Any]]:
    """Per source, the latest `ingestion_runs` row: status, duration and accounting."""
    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            SELECT source, status, epoch(finished_at) - epoch(started_at) AS seconds,
                   objects_listed, objects_read, records_read, rows_landed, quarantined,
                   skipped, message
            FROM ingestion_runs
            QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC) = 1
            """
        ).fetchall()
        names = [d[0] for d in con.description]
    finally:
        con.close()
    return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in rows}


def count_rows(warehouse: Path, tables: list[str]) -> dict[str, int]:
    if not warehouse.exists():
        return {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return {
            t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in tables
            if t in present
        }
    finally:
        con.close()
