"""`evidence-pipeline status` over a published warehouse: table, JSON and CSV, as of an
instant, and one control's subjects."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence_pipeline.commands.status import status_command
from evidence_pipeline.controls.configuration import load_configuration
from evidence_pipeline.controls.evaluation import evaluate
from evidence_pipeline.settings import Settings
from evidence_pipeline.warehouse.store import Warehouse
from tests.evidence_pipeline.controls.estate import Estate, at, days

EARLY = at("2026-06-01T12:00:00Z")
LATE = at("2026-06-30T12:00:00Z")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Two evaluations: early, one model without an owner; late, both models have one."""
    warehouse = Warehouse(path=tmp_path_factory.mktemp("status") / "evidence.duckdb")
    configuration = load_configuration(Settings())
    with warehouse.writer() as con:
        estate = Estate(con)
        estate.model("fraud", {"owner": "ann"})
        estate.model("churn", {"owner": ""}, valid_to=EARLY + days(1))
        estate.model("churn", {"owner": "bea"}, valid_from=EARLY + days(1))
        evaluate(con, configuration, EARLY)
    with warehouse.writer() as con:
        evaluate(con, configuration, LATE)
    return warehouse


@pytest.fixture
def warehouse(published: Warehouse, monkeypatch: pytest.MonkeyPatch) -> Warehouse:
    """The published warehouse, named by EVIDENCE_WAREHOUSE as a user would."""
    monkeypatch.setenv("EVIDENCE_WAREHOUSE", str(published.path))
    return published


def _run(*args: str) -> str:
    result = CliRunner().invoke(status_command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_table_groups_controls_by_objective(warehouse: Warehouse) -> None:
    output = _run()
    lines = output.splitlines()
    assert "2026-06-30T12:00:00Z" in lines[0]
    objectives = [line for line in lines if line.startswith("A.")]
    assert objectives[0] == "A.2 Policies related to AI"
    assert len(objectives) == 10
    owner = next(line for line in lines if line.strip().startswith("A.3.2 "))
    assert "effective" in owner and "100.0%" in owner
    assert "A.2.2" in output and "manual" in output


def test_as_of_shows_the_evaluation_at_or_before_the_instant(warehouse: Warehouse) -> None:
    rows = json.loads(_run("--as-of", "2026-06-15T00:00:00Z", "--format", "json"))
    owner = next(r for r in rows if r["control_id"] == "A.3.2")
    assert owner["as_of"] == "2026-06-01T12:00:00Z"
    assert owner["status"] == "ineffective"
    assert owner["effectiveness"] == 0.5
    assert owner["subjects_failing"] == 1
    assert len(rows) == 38


def test_control_lists_its_subjects(warehouse: Warehouse) -> None:
    output = _run("--control", "A.3.2", "--as-of", "2026-06-02T00:00:00Z")
    assert "A.3.2 AI roles and responsibilities: ineffective" in output
    churn = next(line for line in output.splitlines() if " churn " in line)
    assert churn.startswith("fail") and "owner" in churn
    rows = list(csv.DictReader(io.StringIO(_run("--control", "A.3.2", "--format", "csv"))))
    assert {(r["subject_id"], r["status"]) for r in rows} == {("fraud", "pass"), ("churn", "pass")}


def test_csv_has_one_row_per_control(warehouse: Warehouse) -> None:
    rows = list(csv.DictReader(io.StringIO(_run("--format", "csv"))))
    assert len(rows) == 38
    owner = next(r for r in rows if r["control_id"] == "A.3.2")
    assert owner["status"] == "effective" and owner["objective_id"] == "A.3"


def test_errors_are_clear(warehouse: Warehouse, tmp_path: Path) -> None:
    unknown = CliRunner().invoke(status_command, ["--control", "A.4.1"])
    assert unknown.exit_code == 1 and "unknown control 'A.4.1'" in unknown.output
    bad_instant = CliRunner().invoke(status_command, ["--as-of", "yesterday"])
    assert bad_instant.exit_code == 2 and "RFC 3339" in bad_instant.output
    missing = CliRunner().invoke(status_command, ["--warehouse", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "No warehouse" in missing.output
