"""`evidence-pipeline demo`, end to end: the estate it builds and the warehouse a user opens."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.demo_estate import clean_env, has_controls_engine, query, run_cli

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class DemoRun:
    root: Path
    result: subprocess.CompletedProcess[str]

    @property
    def warehouse(self) -> Path:
        return self.root / "evidence.duckdb"

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return query(self.warehouse, sql, params)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    workdir = tmp_path_factory.mktemp("demo")
    result = run_cli(["demo", "--dir", "estate"], env=clean_env(), cwd=workdir)
    return DemoRun(workdir / "estate", result)


def test_demo_succeeds_and_says_where_the_warehouse_is(demo: DemoRun) -> None:
    assert demo.result.returncode == 0, demo.result.stdout + demo.result.stderr
    out = demo.result.stdout
    assert f"The evidence warehouse is {demo.warehouse}" in out
    assert f"duckdb -readonly {demo.warehouse}" in out
    assert "deployment_events" in out and "quarantine:" in out
    assert demo.warehouse.is_file()


def test_registry_lands_with_its_history_from_the_registration_dates(demo: DemoRun) -> None:
    models = dict(
        demo.rows("SELECT name, tags['owner'] FROM mlflow_registered_models WHERE valid_to IS NULL")
    )
    assert set(models) == {
        "credit-risk-scorer",
        "fraud-detector",
        "churn-predictor",
        "loan-approval",
        "support-chat-llm",
        "doc-summarizer",
        "demand-forecast",
    }
    assert models["credit-risk-scorer"] == "risk-analytics@example.com"
    assert models["doc-summarizer"] is None
    (age_days,) = demo.rows(
        "SELECT date_diff('day', created_at, now()) FROM mlflow_registered_models "
        "WHERE name = 'credit-risk-scorer'"
    )[0]
    assert 169 <= age_days <= 171
    versions = demo.rows(
        "SELECT name || '/' || version, valid_from = created_at FROM mlflow_model_versions"
    )
    assert len(versions) == 11
    assert all(first_row_valid_from_creation for _, first_row_valid_from_creation in versions)


def test_source_runs_and_their_datasets_land(demo: DemoRun) -> None:
    (runs,) = demo.rows("SELECT count(*) FROM mlflow_runs")[0]
    assert runs == 11
    digests = dict(demo.rows("SELECT dataset_name, digest FROM mlflow_run_dataset_inputs"))
    assert digests["loan_book_2026h1"]
    assert not digests["sme_loans_extract"]


def test_deployment_events_land_from_json_lines_and_cloudtrail(demo: DemoRun) -> None:
    events = {
        row[0]: row[1:]
        for row in demo.rows(
            "SELECT event_id, event_type, environment, model_name, model_version, source_format "
            "FROM deployment_events"
        )
    }
    assert events["evt-3001"][:2] == ("deploy", "production")  # written "Production"
    assert events["evt-3010"] == ("rollback", "production", "credit-risk-scorer", "2", "jsonl")
    assert events["evt-1002"][0] == "deploy"  # from the gzip archive
    assert events["evt-3018"][0] == "scaling_changed"  # unknown types are kept
    cloudtrail = sorted(
        (event_type, model, version)
        for event_type, _, model, version, source_format in events.values()
        if source_format == "cloudtrail" and event_type == "deploy"
    )
    assert cloudtrail == [("deploy", "loan-approval", "1"), ("deploy", "loan-approval", "2")]


def test_validations_land_from_real_checkpoint_runs(demo: DemoRun) -> None:
    latest = dict(
        demo.rows(
            "SELECT data_asset || ' ' || suite_name, success FROM gx_validations "
            "QUALIFY row_number() OVER (PARTITION BY data_asset, suite_name "
            "ORDER BY validated_at DESC) = 1"
        )
    )
    assert latest["warehouse/customers customers_quality"] is True
    assert latest["warehouse/transactions transactions_quality"] is False


def test_bad_lines_go_to_quarantine_with_their_reason(demo: DemoRun) -> None:
    rows = demo.rows(
        "SELECT location, line, error, raw FROM quarantine WHERE source = 'deploy_logs' "
        "ORDER BY location, line"
    )
    by_raw = {raw: (location, line, error) for location, line, error, raw in rows}
    truncated = next(raw for raw in by_raw if raw and raw.startswith('{"event_id": "evt-3090"'))
    location, line, error = by_raw[truncated]
    assert location.endswith("deployments-current.jsonl") and line == 6 and error
    missing = next(raw for raw in by_raw if raw and '"evt-3091"' in raw)
    assert "model_name" in by_raw[missing][2]
    assert any("legacy-scoring" in (raw or "") for raw in by_raw), rows


def test_every_source_accounts_for_what_it_read(demo: DemoRun) -> None:
    runs = demo.rows(
        "SELECT source, status, records_read, rows_landed + quarantined + skipped "
        "FROM ingestion_runs"
    )
    assert {source for source, *_ in runs} == {"mlflow", "gx", "deploy_logs"}
    for source, status, read, accounted in runs:
        assert status == "succeeded", source
        assert read == accounted, source


def _results(demo: DemoRun, control: str) -> dict[str, str]:
    return dict(
        demo.rows(
            "SELECT subject_id, status FROM control_results WHERE control_id = ? "
            "AND evaluation_id = (SELECT evaluation_id FROM control_status_current "
            "WHERE control_id = ?)",
            [control, control],
        )
    )


def test_controls_show_the_outcomes_the_estate_is_built_for(demo: DemoRun) -> None:
    if not has_controls_engine():
        pytest.skip("this installation has no control evaluation yet")
    assert _results(demo, "A.3.2")["doc-summarizer"] == "fail"
    impact = _results(demo, "A.5.3")
    assert impact["credit-risk-scorer"] == "pass"
    assert impact["fraud-detector"] == "stale"
    assert impact["loan-approval"] == "fail"
    assert impact["demand-forecast"] == "not_applicable"
    approvals = _results(demo, "A.6.2.5")
    assert approvals["evt-3002"] == "fail"  # self-approval, other letter case
    assert approvals["evt-3016"] == "fail"  # version not in the registry
    assert approvals["evt-3010"] == "pass"
    assert _results(demo, "A.6.2.6")["production/fraud-detector"] == "stale"
    assert _results(demo, "A.6.2.6")["production/loan-approval-prod"] == "fail"
    assert _results(demo, "A.6.2.7")["fraud-detector/2"] == "fail"
    assert _results(demo, "A.7.5")["loan-approval/2"] == "fail"
    incidents = _results(demo, "A.8.4")
    assert incidents == {"INC-2041": "pass", "INC-2057": "fail", "INC-2063": "not_applicable"}
    statuses = dict(demo.rows("SELECT control_id, status FROM control_status_current"))
    assert statuses["A.6.2.4"] == "effective"
    assert statuses["A.6.2.5"] == "partially_effective"
    assert statuses["A.5.3"] == "ineffective"
    assert statuses["A.2.2"] == "attested"
    assert "controls:" in demo.result.stdout


def test_demo_refuses_to_clear_a_directory_it_did_not_build(tmp_path: Path) -> None:
    precious = tmp_path / "notes" / "keep-me.txt"
    precious.parent.mkdir()
    precious.write_text("not a demo", encoding="utf-8")
    result = run_cli(["demo", "--dir", str(precious.parent)], env=clean_env(), cwd=tmp_path)

    assert result.returncode == 1
    assert "was not made by `evidence-pipeline demo`" in result.stderr
    assert precious.read_text(encoding="utf-8") == "not a demo"


def test_demo_keep_runs_again_on_the_same_estate_and_adds_nothing(demo: DemoRun) -> None:
    # Runs last in this module: it adds a run to the warehouse the tests above read.
    tables = ("mlflow_model_versions", "deployment_events", "gx_validations", "quarantine")
    before = {t: demo.rows(f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    result = run_cli(["demo", "--dir", str(demo.root), "--keep"], env=clean_env(), cwd=demo.root)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Keeping the demo estate in {demo.root}" in result.stdout
    assert {t: demo.rows(f"SELECT count(*) FROM {t}")[0][0] for t in tables} == before
    latest = demo.rows(
        "SELECT source, rows_landed, quarantined FROM ingestion_runs "
        "QUALIFY row_number() OVER (PARTITION BY source ORDER BY started_at DESC) = 1"
    )
    assert sorted(latest) == [("deploy_logs", 0, 0), ("gx", 0, 0), ("mlflow", 0, 0)]
