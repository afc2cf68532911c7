"""Evaluation as of an instant: only evidence that existed then counts, re-evaluating replaces,
reconstructions are marked backdated, old per-subject rows expire while roll-ups stay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from evidence_pipeline.controls.as_of import (
    complete_days,
    day_end,
    history_start,
    resolve_as_of,
    results_retention_days,
)
from evidence_pipeline.controls.evaluation import delete_expired_results, evaluate
from evidence_pipeline.settings import Settings, SettingsError
from tests.evidence_pipeline.controls.estate import Estate, at, days, hours

AS_OF = at("2026-06-30T12:00:00Z")
RESULT_COLUMNS = (
    "control_id, rule_id, rule_hash, subject_type, subject_id, status, reason, evidence_ref, "
    "backdated"
)


def _results(con, as_of) -> list[tuple]:
    return con.execute(
        f"SELECT {RESULT_COLUMNS} FROM control_results WHERE as_of = ? ORDER BY ALL", [as_of]
    ).fetchall()


def _roll_ups(con, as_of) -> list[tuple]:
    return con.execute(
        "SELECT * EXCLUDE (evaluated_at) FROM control_effectiveness WHERE as_of = ? ORDER BY ALL",
        [as_of],
    ).fetchall()


def _small_estate(estate: Estate) -> None:
    estate.model("fraud", {"owner": "ann", "intended_use": "fraud review"})
    estate.version("fraud", "1", {"validation_status": "passed", "model_card": "c"}, run_id="r1")
    estate.run("r1")
    estate.dataset_input("r1", "tx", "d1")
    estate.deploy("fraud", "1", AS_OF - days(5))
    estate.event("monitoring_check", AS_OF - hours(3), model_name="fraud")
    estate.validation("lake/tx", AS_OF - days(1), True)
    estate.event("incident_opened", AS_OF - days(2), model_name="fraud", incident_id="I-1")


def test_evidence_added_after_as_of_does_not_change_the_evaluation(
    con, estate: Estate, configuration
) -> None:
    _small_estate(estate)
    evaluate(con, configuration, AS_OF)
    before_results, before_roll_ups = _results(con, AS_OF), _roll_ups(con, AS_OF)
    later = AS_OF + hours(1)
    estate.model("newcomer", {}, created_at=later)
    estate.version("fraud", "2", {"validation_status": "failed"}, created_at=later)
    estate.deploy("fraud", "2", later, actor="ann", approved_by="ann")
    estate.event("undeploy", later + hours(1), model_name="fraud")
    estate.validation("lake/tx", later, False)
    estate.event("incident_communicated", later, model_name="fraud", incident_id="I-1")
    estate.event("incident_opened", later, model_name="fraud", incident_id="I-2")

    evaluate(con, configuration, AS_OF)
    assert _results(con, AS_OF) == before_results
    assert _roll_ups(con, AS_OF) == before_roll_ups
    # ...while an evaluation after the new evidence sees it.
    evaluate(con, configuration, later + days(1))
    subjects = {r[4] for r in _results(con, later + days(1))}
    assert {"newcomer", "I-2"} <= subjects


def test_a_tag_changed_after_as_of_does_not_change_the_evaluation(
    con, estate: Estate, configuration
) -> None:
    changed = AS_OF + days(1)
    estate.model("churn", {"owner": ""}, valid_to=changed)
    estate.model("churn", {"owner": "bea"}, valid_from=changed, observed_at=changed)
    evaluate(con, configuration, AS_OF)
    evaluate(con, configuration, changed + hours(1))
    owner = con.execute(
        "SELECT as_of, status, backdated FROM control_results "
        "WHERE rule_id = 'model_has_owner' ORDER BY as_of"
    ).fetchall()
    assert owner == [(AS_OF, "fail", False), (changed + hours(1), "pass", False)]


def test_a_verdict_on_a_registry_row_observed_after_as_of_is_backdated(
    con, estate: Estate, configuration
) -> None:
    # First ingested a week after as_of: the row's validity starts at the model's creation,
    # so the evaluation can see it, but only as a reconstruction.
    estate.model("late", {"owner": "ann"}, observed_at=AS_OF + days(7))
    estate.model("early", {"owner": "ann"}, observed_at=AS_OF - days(7))
    evaluate(con, configuration, AS_OF)
    rows = dict(
        con.execute(
            "SELECT subject_id, backdated FROM control_results WHERE rule_id = 'model_has_owner'"
        ).fetchall()
    )
    assert rows == {"late": True, "early": False}
    backdated = con.execute(
        "SELECT subjects_backdated FROM control_effectiveness WHERE control_id = 'A.3.2'"
    ).fetchone()[0]
    assert backdated == 1


def test_evaluating_the_same_as_of_again_replaces_it(con, estate: Estate, configuration) -> None:
    _small_estate(estate)
    first = evaluate(con, configuration, AS_OF)
    rows = con.execute("SELECT count(*) FROM control_results").fetchone()[0]
    estate.model("second", {"owner": "x"})
    second = evaluate(con, configuration, AS_OF)
    assert second.evaluation_id == first.evaluation_id
    counts = con.execute(
        "SELECT (SELECT count(*) FROM control_evaluations), "
        "(SELECT count(*) FROM control_effectiveness), "
        "(SELECT count(*) FROM control_results), "
        "(SELECT count(DISTINCT evaluated_at) FROM control_results)"
    ).fetchone()
    assert counts[0] == 1
    assert counts[1] == len(configuration.catalog.controls)
    assert counts[2] > rows  # the new model's rows, and no second copy of the first
    assert counts[3] == 1


def test_current_status_is_the_latest_as_of_whatever_the_order_of_evaluation(
    con, estate: Estate, configuration
) -> None:
    estate.model("churn", {"owner": ""}, valid_to=AS_OF - days(1))
    estate.model("churn", {"owner": "bea"}, valid_from=AS_OF - days(1))
    evaluate(con, configuration, AS_OF)  # owner set: effective
    evaluate(con, configuration, AS_OF - days(10))  # evaluated later, but of an earlier instant
    current = con.execute(
        "SELECT as_of, status FROM control_status_current WHERE control_id = 'A.3.2'"
    ).fetchone()
    assert current == (AS_OF, "effective")


def test_per_subject_results_expire_and_roll_ups_stay(con, estate: Estate, configuration) -> None:
    _small_estate(estate)
    now = AS_OF + days(1)
    old = AS_OF - days(401)
    evaluate(con, configuration, old, evaluated_at=old)
    evaluate(con, configuration, AS_OF, evaluated_at=AS_OF)
    deleted = delete_expired_results(con, 400, now=now)
    assert deleted > 0
    assert con.execute("SELECT DISTINCT as_of FROM control_results").fetchall() == [(AS_OF,)]
    kept = con.execute("SELECT DISTINCT as_of FROM control_effectiveness ORDER BY 1").fetchall()
    assert kept == [(old,), (AS_OF,)]


def test_an_audit_of_a_date_older_than_the_retention_keeps_its_rows(
    con, estate: Estate, configuration
) -> None:
    _small_estate(estate)
    now = AS_OF + days(1)
    audited = AS_OF - days(401)  # EVIDENCE_AS_OF more than 400 days back, evaluated now
    evaluate(con, configuration, audited, evaluated_at=now)
    rows = con.execute("SELECT count(*) FROM control_results").fetchone()[0]
    assert rows > 0
    assert delete_expired_results(con, 400, now=now) == 0
    assert con.execute("SELECT count(*) FROM control_results").fetchone()[0] == rows


def test_retention_days_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert results_retention_days() == 400
    monkeypatch.setenv("EVIDENCE_RESULTS_RETENTION_DAYS", "30")
    assert results_retention_days() == 30
    monkeypatch.setenv("EVIDENCE_RESULTS_RETENTION_DAYS", "a year")
    with pytest.raises(SettingsError, match="EVIDENCE_RESULTS_RETENTION_DAYS"):
        results_retention_days()


def test_as_of_is_evidence_as_of_else_when_this_runs_ingestion_finished_else_now(con) -> None:
    now = at("2026-07-01T00:00:00Z")
    con.execute(
        "INSERT INTO ingestion_runs (ingestion_id, run_id, source, started_at, finished_at, status)"
        " VALUES ('a', 'run-1', 'mlflow', ?, ?, 'succeeded'),"
        " ('b', 'run-1', 'gx', ?, ?, 'succeeded'), ('c', 'run-0', 'gx', ?, ?, 'succeeded')",
        [
            now - hours(3),
            now - hours(2),
            now - hours(3),
            now - hours(1),
            now - hours(1),
            now - timedelta(minutes=5),
        ],
    )
    assert resolve_as_of(con, Settings(), "run-1", now=now) == now - hours(1)
    assert resolve_as_of(con, Settings(), "run-unknown", now=now) == now
    assert resolve_as_of(con, Settings(as_of=AS_OF), "run-1", now=now) == AS_OF
    with pytest.raises(SettingsError, match="later than now"):
        resolve_as_of(con, Settings(as_of=now + hours(1)), "run-1", now=now)


def test_history_days_are_complete_utc_days_ending_at_their_last_instant() -> None:
    assert day_end(at("2026-06-30").date()).isoformat() == "2026-06-30T23:59:59.999999+00:00"
    now = at("2026-07-02T10:00:00Z")
    assert complete_days(at("2026-06-29"), at("2026-07-03"), now=now) == [
        at("2026-06-29").date(),
        at("2026-06-30").date(),
        at("2026-07-01").date(),
    ]


def test_history_start_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert history_start() == "2025-01-01"
    monkeypatch.setenv("EVIDENCE_HISTORY_START", "2024-03-01")
    assert history_start() == "2024-03-01"
    monkeypatch.setenv("EVIDENCE_HISTORY_START", "March 2024")
    with pytest.raises(SettingsError, match="EVIDENCE_HISTORY_START"):
        history_start()
