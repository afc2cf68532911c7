"""`evidence-pipeline run` as a real subprocess: exit codes, progress, summary, run history."""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from evidence_pipeline.demo import DemoEstate
from tests.fixtures.demo_estate import clean_env, copy_demo_estate, query, run_cli
from tests.servers import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def estate(
    tmp_path_factory: pytest.TempPathFactory, demo_estate_template: DemoEstate
) -> DemoEstate:
    return copy_demo_estate(demo_estate_template, tmp_path_factory.mktemp("estate") / "estate")


def _env(estate: DemoEstate, warehouse: Path, **overrides: str) -> dict[str, str]:
    return clean_env(**{**estate.env, "EVIDENCE_WAREHOUSE": str(warehouse), **overrides})


def _dagster_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home


def _run_ids(stdout: str) -> list[str]:
    match = re.search(r"dagster runs (.+)", stdout)
    assert match, stdout
    return [run_id.strip() for run_id in match.group(1).split(",")]


def _summary_line(stdout: str, name: str) -> str:
    summary = stdout.split("\nSummary\n", 1)[1]
    return next(line.strip() for line in summary.splitlines() if line.split()[:1] == [name])


def test_run_ingests_every_source_shows_progress_and_records_the_run(
    estate: DemoEstate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dagster as dg

    home = _dagster_home(tmp_path)
    warehouse = tmp_path / "evidence.duckdb"
    result = run_cli(["run"], env=_env(estate, warehouse, DAGSTER_HOME=str(home)), cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert re.search(r"raw/gx_validations\s+started", out)
    assert re.search(r"raw/gx_validations\s+succeeded", out)
    # Concise: Dagster's own debug and info lines stay off the console.
    assert "STEP_START" not in out + result.stderr
    assert "LOADED_INPUT" not in out + result.stderr
    (landed,) = query(warehouse, "SELECT count(*) FROM gx_validations")[0]
    assert re.match(rf"gx\s+succeeded\s+{landed}\s+{landed}\s+0\s+0$", _summary_line(out, "gx"))
    deploy_logs = _summary_line(out, "deploy_logs").split()
    assert deploy_logs[1] == "succeeded" and int(deploy_logs[4]) >= 3  # the bad lines
    assert _summary_line(out, "mlflow").split()[1] == "succeeded"
    assert f"warehouse    {warehouse}" in out
    assert "controls     evaluated as of" in _summary_line(out, "controls") + out

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        runs = {run.run_id: run for run in instance.get_runs()}
    run_ids = _run_ids(out)
    assert set(run_ids) <= set(runs)
    assert runs[run_ids[0]].job_name == "evidence_job"
    assert runs[run_ids[0]].status == dg.DagsterRunStatus.SUCCESS


@pytest.mark.parametrize("unreachable", ["mlflow", "deploy_logs_s3"])
def test_an_unreachable_source_fails_the_run_but_not_the_others(
    estate: DemoEstate, tmp_path: Path, unreachable: str
) -> None:
    closed = f"127.0.0.1:{free_port()}"
    if unreachable == "mlflow":
        overrides = {"MLFLOW_TRACKING_URI": f"http://{closed}"}
        source, landed_table = "mlflow", "deployment_events"
    else:
        overrides = {
            "EVIDENCE_DEPLOY_LOGS": "s3://deploy-logs/prod/",
            "AWS_ENDPOINT_URL_S3": f"http://{closed}",
        }
        source, landed_table = "deploy_logs", "mlflow_model_versions"
    warehouse = tmp_path / "evidence.duckdb"
    result = run_cli(["run"], env=_env(estate, warehouse, **overrides), cwd=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("Failed:")]
    assert any(line.startswith(f"Failed: {source}:") and closed in line for line in failed), (
        result.stderr
    )
    assert _summary_line(result.stdout, source).split()[1] == "failed"
    # The other sources still land.
    assert query(warehouse, f"SELECT count(*) FROM {landed_table}")[0][0] > 0
    assert query(warehouse, "SELECT count(*) FROM gx_validations")[0][0] > 0
    # The controls are evaluated on what was stored, in a second run.
    assert "control evaluation" not in "".join(failed)
    first_run, _ = _run_ids(result.stdout)
    assert query(warehouse, "SELECT count(*) FROM control_effectiveness")[0][0] > 0
    # ... as of when the first run's ingestion finished, not when the second run started
    ((as_of, finished),) = query(
        warehouse,
        "SELECT (SELECT max(as_of) FROM control_evaluations), "
        "(SELECT max(finished_at) FROM ingestion_runs WHERE run_id = ?)",
        [first_run],
    )
    assert as_of == finished


def test_an_unconfigured_source_is_skipped_with_a_message(
    estate: DemoEstate, tmp_path: Path
) -> None:
    env = _env(estate, tmp_path / "evidence.duckdb")
    del env["MLFLOW_TRACKING_URI"]
    result = run_cli(["run"], env=env, cwd=tmp_path)

    assert "mlflow: not configured (MLFLOW_TRACKING_URI is unset); skipped" in result.stdout
    assert _summary_line(result.stdout, "mlflow").split()[1] == "skipped"
    assert "Failed: mlflow" not in result.stderr
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_summary_shows_this_runs_evaluation_even_without_any_evidence(
    estate: DemoEstate, tmp_path: Path
) -> None:
    """With every source unset the evaluation writes no per-subject row; the summary still
    reports it (every automated control without evidence), not the previous run's."""
    warehouse = tmp_path / "evidence.duckdb"
    first = run_cli(["run"], env=_env(estate, warehouse), cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "effective" in _summary_line(first.stdout, "controls")

    second = run_cli(["run"], env=clean_env(EVIDENCE_WAREHOUSE=str(warehouse)), cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    line = _summary_line(second.stdout, "controls")
    assert line != _summary_line(first.stdout, "controls")
    statuses = line.split(": ", 1)[1]
    assert "no evidence" in statuses and " effective" not in statuses, line


def test_an_as_of_in_the_future_is_refused(tmp_path: Path) -> None:
    warehouse = tmp_path / "evidence.duckdb"
    env = clean_env(EVIDENCE_AS_OF="2999-01-01T00:00:00Z", EVIDENCE_WAREHOUSE=str(warehouse))
    result = run_cli(["run"], env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "EVIDENCE_AS_OF=2999-01-01T00:00:00+00:00 is later than now" in result.stderr
    assert not warehouse.exists()


def test_a_run_publishes_the_warehouse_once_when_it_ends(
    estate: DemoEstate, tmp_path: Path
) -> None:
    """Analysts see a run's evidence when the run ends, in one new copy of the warehouse: not
    one copy per step, each costing the warehouse's whole size."""
    warehouse = tmp_path / "evidence.duckdb"
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def watch() -> None:  # every version of the published file the run leaves, even briefly
        while not done.is_set():
            try:
                stat = warehouse.stat()
            except FileNotFoundError:
                pass
            else:
                version = (stat.st_ino, stat.st_mtime_ns)
                if not seen or seen[-1] != version:
                    seen.append(version)
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        result = run_cli(["run"], env=_env(estate, warehouse), cwd=tmp_path)
    finally:
        done.set()
        watcher.join()

    assert result.returncode == 0, result.stdout + result.stderr
    assert len(seen) == 1, seen
    assert query(warehouse, "SELECT count(*) FROM control_effectiveness")[0][0] > 0
    assert query(warehouse, "SELECT count(*) FROM deployment_events")[0][0] > 0
