"""One writer at a time, analysts never blocked: real `evidence-pipeline run` processes against
one Dagster instance and one warehouse, with an analyst's DuckDB connection held open."""

import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from evidence_pipeline.warehouse.store import Warehouse
from tests.evidence_pipeline.warehouse.analyst import AnalystSession
from tests.fixtures.demo_estate import CLI, clean_env

pytestmark = pytest.mark.slow

GX_SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "gx" / "v0"
FIRST_RESULT = "taxi_suite_1-20220727T154327.701100Z.json"
SECOND_RESULT = "npi_suite-legacy-batch-kwargs.json"
RUN_TIMEOUT = 300


@dataclass
class Estate:
    root: Path
    gx_results: Path
    warehouse: Path
    env: dict[str, str]

    def add_result(self, name: str) -> None:
        shutil.copy(GX_SAMPLES / name, self.gx_results / name)


@pytest.fixture
def estate(tmp_path: Path) -> Estate:
    """Great Expectations results in a directory; the other sources are not configured."""
    gx_results = tmp_path / "gx" / "validations"
    gx_results.mkdir(parents=True)
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    warehouse = tmp_path / "warehouse" / "evidence.duckdb"
    env = clean_env(
        EVIDENCE_GX_RESULTS=str(gx_results),
        EVIDENCE_WAREHOUSE=str(warehouse),
        DAGSTER_HOME=str(dagster_home),
    )
    found = Estate(tmp_path, gx_results, warehouse, env)
    found.add_result(FIRST_RESULT)
    return found


class PipelineRun:
    """`evidence-pipeline run` in its own process, its output collected line by line."""

    def __init__(self, estate: Estate) -> None:
        self.process = subprocess.Popen(
            [str(CLI), "run"],
            cwd=estate.root,
            env=estate.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for_line(self, text: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in: {''.join(self.output)[-3000:]}")

    def finish(self) -> int:
        code = self.process.wait(timeout=RUN_TIMEOUT)
        time.sleep(0.2)  # let the reader thread take the last lines
        return code

    @property
    def text(self) -> str:
        return "".join(self.output)


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _publish_empty_warehouse(estate: Estate) -> None:
    """An empty warehouse, migrated and published: what an analyst opens before any evidence."""
    with Warehouse(estate.warehouse).writer():
        pass


def test_runs_started_together_both_succeed_while_an_analyst_holds_the_warehouse(
    estate: Estate,
) -> None:
    _publish_empty_warehouse(estate)
    # The analyst opens the published warehouse read-write, the strongest lock DuckDB takes.
    with AnalystSession(estate.warehouse, read_only=False) as analyst:
        assert analyst.query("SELECT count(*) FROM gx_validations") == [[0]]
        estate.add_result(SECOND_RESULT)
        runs = [PipelineRun(estate), PipelineRun(estate)]
        codes = [run.finish() for run in runs]
        assert codes == [0, 0], "\n\n".join(run.text for run in runs)
        # The analyst's connection still answers, from the snapshot it opened.
        assert analyst.query("SELECT count(*) FROM gx_validations") == [[0]]
        # A new connection sees what the runs added, once: both saw the same two new files.
        assert _rows(estate.warehouse, "SELECT count(*) FROM gx_validations") == [(2,)]

    evaluations = _rows(
        estate.warehouse,
        "SELECT count(DISTINCT run_id) FROM control_evaluations WHERE trigger = 'run'",
    )
    assert evaluations == [(2,)]
    gx_ingestions = _rows(
        estate.warehouse,
        "SELECT status, count(*) FROM ingestion_runs WHERE source = 'gx' GROUP BY status",
    )
    assert dict(gx_ingestions).get("succeeded") == 2, gx_ingestions


def test_a_run_started_by_hand_waits_for_the_writer_then_succeeds(estate: Estate) -> None:
    _publish_empty_warehouse(estate)
    published_inode = estate.warehouse.stat().st_ino
    estate.add_result(SECOND_RESULT)

    with AnalystSession(estate.warehouse, read_only=True) as analyst:
        assert analyst.query("SELECT count(*) FROM gx_validations") == [[0]]
        warehouse = Warehouse(estate.warehouse)
        with warehouse.writer_lock():  # another writer, e.g. a scheduled run, is writing
            waiting = PipelineRun(estate)
            waiting.wait_for_line("started")
            time.sleep(8)
            # Every asset writes the warehouse: none can finish while the lock is held.
            assert waiting.process.poll() is None, waiting.text
            assert "succeeded" not in waiting.text, waiting.text
            assert estate.warehouse.stat().st_ino == published_inode
        assert waiting.finish() == 0, waiting.text
        assert analyst.query("SELECT count(*) FROM gx_validations") == [[0]]
        assert _rows(estate.warehouse, "SELECT count(*) FROM gx_validations") == [(2,)]
