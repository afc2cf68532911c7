"""The control assets materialised with Dagster over a file warehouse: the evaluation of a run,
EVIDENCE_AS_OF, and a backfill of a range of days run as one run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from evidence_pipeline.controls.as_of import day_end
from evidence_pipeline.controls.assets import control_catalog, control_history, control_results
from evidence_pipeline.controls.configuration import load_configuration
from evidence_pipeline.controls.evaluation import evaluate
from evidence_pipeline.resources import WarehouseResource
from evidence_pipeline.settings import Settings
from evidence_pipeline.warehouse.store import Warehouse
from tests.evidence_pipeline.controls.estate import Estate, at, days, hours

START = at("2026-06-01T00:00:00Z")


def _build_estate(con: duckdb.DuckDBPyConnection) -> None:
    """Evidence that changes day by day over the first week of June 2026."""
    estate = Estate(con)
    estate.model("fraud", {"owner": ""}, valid_to=START + days(2) + hours(6))
    estate.model("fraud", {"owner": "ann"}, valid_from=START + days(2) + hours(6))
    estate.version("fraud", "1", {"validation_status": "passed", "model_card": "c1"})
    estate.version("fraud", "2", {"validation_status": "failed"}, created_at=START + days(1))
    estate.deploy("fraud", "1", START + hours(1))
    estate.deploy("fraud", "2", START + days(1) + hours(2), actor="ann", approved_by="Ann")
    estate.event("rollback", START + days(3), model_name="fraud", model_version="1")
    for day in range(6):
        if day != 2:
            estate.event("monitoring_check", START + days(day) + hours(12), model_name="fraud")
    estate.validation("lake/tx", START + hours(5), True)
    estate.validation("lake/tx", START + days(2) + hours(5), False)
    estate.validation("lake/tx", START + days(4) + hours(5), True)
    estate.event("incident_opened", START + days(1), model_name="fraud", incident_id="I-1")


def _warehouse(path: Path) -> Warehouse:
    warehouse = Warehouse(path=path)
    with warehouse.writer() as con:
        _build_estate(con)
    return warehouse


def _results(warehouse: Warehouse, as_of: datetime | None = None) -> list[tuple]:
    with warehouse.reader() as con:
        return con.execute(
            "SELECT as_of, control_id, rule_id, rule_hash, subject_type, subject_id, status, "
            "reason, evidence_ref, backdated FROM control_results "
            "WHERE ? IS NULL OR as_of = ? ORDER BY ALL",
            [as_of, as_of],
        ).fetchall()


@pytest.mark.slow
def test_control_results_evaluates_as_of_evidence_as_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = _warehouse(tmp_path / "evidence.duckdb")
    monkeypatch.setenv("EVIDENCE_AS_OF", "2026-06-02T12:00:00Z")
    result = dg.materialize(
        [control_catalog, control_results],
        resources={"warehouse": WarehouseResource(path=str(warehouse.path))},
    )
    assert result.success
    metadata = result.asset_materializations_for_node("evidence__control_results")[0].metadata
    assert metadata["as_of"].value == "2026-06-02T12:00:00.000000Z"
    assert metadata["controls_by_status"].value["manual"] > 0
    with warehouse.reader() as con:
        live = con.execute(
            "SELECT subject_id, status FROM control_results WHERE rule_id = "
            "'live_version_passed_validation'"
        ).fetchall()
        assert live == [("fraud/2", "fail")]
        assert con.execute("SELECT count(*) FROM statement_of_applicability").fetchone()[0] == 38


@pytest.mark.slow
def test_an_evidence_as_of_in_the_future_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = _warehouse(tmp_path / "evidence.duckdb")
    monkeypatch.setenv("EVIDENCE_AS_OF", "2999-01-01T00:00:00Z")
    result = dg.materialize(
        [control_catalog, control_results],
        resources={"warehouse": WarehouseResource(path=str(warehouse.path))},
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "later than now" in str(failure.step_failure_data.error)
    with warehouse.reader() as con:
        assert con.execute("SELECT count(*) FROM control_results").fetchone()[0] == 0


@pytest.mark.slow
def test_a_backfilled_range_runs_once_and_equals_each_day_evaluated_alone(
    tmp_path: Path,
) -> None:
    backfilled = _warehouse(tmp_path / "backfilled" / "evidence.duckdb")
    result = dg.materialize(
        [control_history],
        resources={"warehouse": WarehouseResource(path=str(backfilled.path))},
        tags={
            "dagster/asset_partition_range_start": "2026-06-01",
            "dagster/asset_partition_range_end": "2026-06-05",
        },
    )
    assert result.success
    metadata = result.asset_materializations_for_node("evidence__control_history")
    assert len(metadata) == 5  # one materialization per day, all in this one run

    day_by_day = _warehouse(tmp_path / "day_by_day" / "evidence.duckdb")
    configuration = load_configuration(Settings())
    for offset in range(5):
        with day_by_day.writer() as con:
            evaluate(con, configuration, day_end((START + days(offset)).date()))

    assert _results(backfilled) == _results(day_by_day)
    with backfilled.reader() as con:
        evaluations = con.execute(
            "SELECT as_of, trigger, run_id FROM control_evaluations ORDER BY as_of"
        ).fetchall()
        monitored = con.execute(
            "SELECT as_of, status FROM control_effectiveness WHERE control_id = 'A.6.2.6' "
            "ORDER BY as_of"
        ).fetchall()
    assert [e[0] for e in evaluations] == [day_end((START + days(i)).date()) for i in range(5)]
    assert {(e[1], e[2]) for e in evaluations} == {("backfill", result.run_id)}
    # No monitoring check on 3 June: the endpoint's check is stale that day only.
    assert [m[1] for m in monitored] == [
        "effective",
        "effective",
        "ineffective",
        "effective",
        "effective",
    ]
