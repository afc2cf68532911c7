"""The code location the UI loads: checks per control, schedules, sensors, freshness policies."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from evidence_pipeline.controls.checks import CHECKED_CONTROLS, CONTROL_RESULTS
from evidence_pipeline.definitions import defs
from evidence_pipeline.orchestration.config import FreshnessSettings, OrchestrationSettings
from evidence_pipeline.orchestration.schedules import build_evidence_schedule
from evidence_pipeline.orchestration.sensors import source_assets
from evidence_pipeline.settings import SettingsError

REPO = Path(__file__).resolve().parents[3]
DAGSTER = Path(sys.executable).parent / "dagster"


@pytest.mark.slow
def test_dagster_validates_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    result = subprocess.run(
        [str(DAGSTER), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "All code locations passed validation" in result.stdout + result.stderr


def test_every_checked_control_is_a_check_on_the_evaluation() -> None:
    graph = defs.get_repository_def().asset_graph
    check_keys = {key for key in graph.asset_check_keys if key.asset_key == CONTROL_RESULTS}
    assert {key.name for key in check_keys} >= {c.check_name for c in CHECKED_CONTROLS}
    assert "a_6_2_5_deployments_are_approved" in {key.name for key in check_keys}
    assert len(CHECKED_CONTROLS) >= 11


def test_the_daily_schedule_and_the_sensors_are_on_by_default() -> None:
    repository = defs.get_repository_def()
    schedule = repository.get_schedule_def("evidence_daily")
    assert schedule.job_name == "evidence_job"
    assert schedule.cron_schedule == "0 5 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.tags["evidence/warehouse-writer"] == "true"
    sensors = {s.name: s for s in repository.sensor_defs}
    assert set(sensors) == {"deploy_logs_sensor", "gx_results_sensor", "mlflow_registry_sensor"}
    for sensor in sensors.values():
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
        assert sensor.job_name == "evidence_job"
        assert sensor.minimum_interval_seconds == 300


def test_ingested_evidence_and_the_evaluation_have_freshness_policies() -> None:
    graph = defs.get_repository_def().asset_graph
    fresh = {key for key in graph.get_all_asset_keys() if graph.get(key).freshness_policy}
    assert CONTROL_RESULTS in fresh
    ingestion = {
        key
        for key in graph.get_all_asset_keys()
        if (graph.get(key).group_name or "").startswith("ingestion_")
    }
    assert ingestion and ingestion <= fresh
    policy = graph.get(CONTROL_RESULTS).freshness_policy
    assert policy.warn_window.to_timedelta().total_seconds() == 26 * 3600
    assert policy.fail_window.to_timedelta().total_seconds() == 50 * 3600


def _load_in_subprocess(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_schedule_sensors_and_freshness_follow_the_environment() -> None:
    result = _load_in_subprocess(
        {
            "EVIDENCE_SCHEDULE_CRON": "30 2 * * 1-5",
            "EVIDENCE_SCHEDULE_TIMEZONE": "Europe/Paris",
            "EVIDENCE_SENSOR_INTERVAL_SECONDS": "60",
            "EVIDENCE_FRESHNESS_WARN_HOURS": "80",
            "EVIDENCE_FRESHNESS_FAIL_HOURS": "100",
        },
        "from evidence_pipeline.definitions import defs\n"
        "r = defs.get_repository_def()\n"
        "s = r.get_schedule_def('evidence_daily')\n"
        "p = r.asset_graph.get(r.asset_graph.get_all_asset_keys().pop()).freshness_policy\n"
        "print(s.cron_schedule, s.execution_timezone,"
        " {x.minimum_interval_seconds for x in r.sensor_defs})\n"
        "from evidence_pipeline.orchestration.config import FreshnessSettings\n"
        "print(FreshnessSettings.from_env())",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "30 2 * * 1-5 Europe/Paris {60}" in result.stdout
    assert "warn_hours=80.0, fail_hours=100.0" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("EVIDENCE_SCHEDULE_CRON", "every morning"),
        ("EVIDENCE_SCHEDULE_TIMEZONE", "Mars/Olympus"),
        ("EVIDENCE_SENSOR_INTERVAL_SECONDS", "soon"),
        ("EVIDENCE_FRESHNESS_WARN_HOURS", "200"),
    ],
)
def test_a_bad_setting_stops_the_load_naming_the_variable(
    variable: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        build_evidence_schedule(OrchestrationSettings.from_env())
        FreshnessSettings.from_env()


@pytest.mark.parametrize(
    ("group", "sensor"),
    [
        ("ingestion_deploy_logs", "deploy_logs_sensor"),
        ("ingestion_gx", "gx_results_sensor"),
        ("ingestion_mlflow", "mlflow_registry_sensor"),
    ],
)
def test_a_sensor_run_ingests_its_source_then_evaluates_the_controls(
    group: str, sensor: str
) -> None:
    graph = defs.get_repository_def().asset_graph
    context = dg.build_sensor_context(definitions=defs, sensor_name=sensor)
    selected = set(source_assets(context, group))
    own = {k for k in graph.get_all_asset_keys() if graph.get(k).group_name == group}
    assert own and own <= selected
    assert CONTROL_RESULTS in selected
    others = {
        k
        for k in graph.get_all_asset_keys()
        if (graph.get(k).group_name or "").startswith("ingestion_") and k not in own
    }
    assert not selected & others
    assert not any(graph.get(k).is_partitioned for k in selected)
