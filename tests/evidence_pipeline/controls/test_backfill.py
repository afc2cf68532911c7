"""The backfill (`evaluate_many`) stores exactly what evaluating each day on its own stores,
on an estate whose evidence changes every day (so a day that saw a later day's evidence, or
missed its own, would differ), for every shipped rule, and for rules it cannot batch."""

from __future__ import annotations

import dataclasses
import logging
import random
from datetime import datetime

import duckdb
import pytest

from evidence_pipeline.controls import batching
from evidence_pipeline.controls.as_of import day_end
from evidence_pipeline.controls.backfill import evaluate_many
from evidence_pipeline.controls.batching import batched_rule_sql
from evidence_pipeline.controls.configuration import ControlConfiguration
from evidence_pipeline.controls.evaluation import evaluate
from evidence_pipeline.warehouse.migrations import migrate
from tests.evidence_pipeline.controls.estate import Estate, at, days, hours

START = at("2026-06-01T00:00:00Z")
DAYS = 12
AS_OFS = [day_end((START + days(n)).date()) for n in range(DAYS)]
ENDPOINTS = ["fraud", "churn", "ranker", "search"]


def _instant(rng: random.Random, first_day: float = -3, last_day: float = DAYS + 2) -> datetime:
    return START + days(rng.uniform(first_day, last_day))


def _build(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """A small estate whose registry, runs, events and validations change day after day."""
    rng = random.Random(seed)
    estate = Estate(con)
    for name in ENDPOINTS:
        # registry rows with validity periods that change inside the range
        change = _instant(rng, 1, DAYS - 1)
        first_seen = START + days(rng.choice([-30, 2, 5]))
        for valid_from, valid_to, owner in (
            (first_seen, change, rng.choice(["", "ann"])),
            (change, None, rng.choice(["", "bob", "  "])),
        ):
            if valid_to is not None and valid_to <= valid_from:
                continue
            tags = {
                "owner": owner,
                "intended_use": rng.choice(["", "scoring"]),
                "risk_tier": rng.choice(["high", "HIGH", "low", "weird", ""]),
                "impact_assessment": rng.choice(["", "IA-1"]),
                "impact_assessment_date": rng.choice(
                    ["2026-06-04", "2025-06-03", "2025-07-01", "june", "2026-06-20"]
                ),
                "provider": rng.choice(["internal", "acme", ""]),
                "supplier_assessment": rng.choice(["", "SA-9"]),
                "responsibility_agreement": rng.choice(["", "RA-1"]),
                "acceptance_metric": "auc",
                "acceptance_threshold": rng.choice(["0.8", "x", "0.95"]),
            }
            estate.model(
                name,
                tags,
                created_at=first_seen,
                valid_from=valid_from,
                valid_to=valid_to,
                observed_at=valid_from + days(rng.choice([0, 0, 3])),
            )
            con.execute(
                "UPDATE mlflow_registered_models SET aliases = MAP(['champion'], [?]) "
                "WHERE name = ? AND valid_from = ?",
                [str(rng.randint(1, 3)), name, valid_from],
            )
        for v in range(1, 4):
            run_id = f"run-{name}-{v}"
            created = _instant(rng, -5, DAYS)
            start = created - hours(rng.choice([1, 30]))
            con.execute(
                "INSERT INTO mlflow_runs (run_id, status, start_time, end_time, params, metrics, "
                "tags, observed_at) VALUES (?, ?, ?, ?, MAP(['p'], ['1']), MAP(['auc'], [?]), "
                "MAP(['git_commit', 'data_asset'], [?, ?]), ?)",
                [
                    run_id,
                    rng.choice(["FINISHED", "RUNNING"]),
                    start,
                    start + hours(rng.choice([0.5, 60])),
                    rng.choice([0.7, 0.9, 0.99]),
                    rng.choice(["abc123", ""]),
                    rng.choice(["lake/tx", "", "lake/users, lake/tx"]),
                    estate.observed_at,
                ],
            )
            con.execute(
                "INSERT INTO mlflow_run_dataset_inputs (run_id, dataset_name, digest, source, "
                "context, observed_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    rng.choice(["lake/users", "tx", "other"]),
                    rng.choice([None, "d1", " "]),
                    rng.choice([None, "s3://lake"]),
                    rng.choice(["training", "Training", "eval"]),
                    estate.observed_at,
                ],
            )
            change = created + days(rng.uniform(0.5, 6))
            # some versions are deleted later: deploys made before still had them registered
            deleted = change + days(rng.uniform(0.5, 6)) if rng.random() < 0.3 else None
            for valid_from, valid_to in ((created, change), (change, deleted)):
                estate.version(
                    name,
                    str(v),
                    {
                        "validation_status": rng.choice(["passed", "failed", ""]),
                        "model_card": rng.choice(["", "card.md"]),
                    },
                    run_id=rng.choice([run_id, run_id, None]),
                    created_at=created,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    observed_at=valid_from + days(rng.choice([0, 0, 2])),
                )
            if rng.random() < 0.3:
                con.execute(
                    "UPDATE mlflow_model_versions SET current_stage = 'Production' "
                    "WHERE name = ? AND version = ?",
                    [name, str(v)],
                )
        for _ in range(12):
            kind = rng.choice(["deploy", "deploy", "rollback", "undeploy"])
            when = _instant(rng)
            event_id = estate.event(
                kind,
                when,
                model_name=name,
                model_version=str(rng.randint(1, 4)) if kind != "undeploy" else None,
                environment=rng.choice(["production", "Production ", "staging"]),
                endpoint=rng.choice([None, f"{name}-ep"]),
                actor=rng.choice([None, "alice", "arn:aws:sts::1:assumed-role/r/bob"]),
                approved_by=rng.choice([None, "bob", "Alice"]),
                status=rng.choice(["succeeded", "succeeded", "failed"]),
            )
            con.execute(
                "UPDATE deployment_events SET details = ?, change_ticket = ? WHERE event_id = ?",
                [
                    rng.choice(['{"instance_type": "m5"}', "{}", None]),
                    rng.choice([None, "CHG-1"]),
                    event_id,
                ],
            )
            if rng.random() < 0.3:  # another event at the same instant: ties go by event_id
                estate.event(
                    rng.choice(["deploy", "undeploy"]),
                    when,
                    model_name=name,
                    model_version="2",
                    actor="alice",
                    approved_by="bob",
                )
        for _ in range(10):
            when = _instant(rng)
            estate.event(
                "monitoring_check",
                when,
                model_name=name,
                endpoint=rng.choice([None, f"{name}-ep"]),
                status=rng.choice(["succeeded", "succeeded", "failed"]),
            )
            if rng.random() < 0.2:
                estate.event("monitoring_check", when, model_name=name)
    # an event at a day's very last instant counts on that day
    estate.deploy("fraud", "1", AS_OFS[4], actor="carol", approved_by="dave")
    estate.event("monitoring_check", AS_OFS[6], model_name="fraud")
    for i in range(8):
        opened = _instant(rng, -5, DAYS)
        incident = f"INC-{i}"
        estate.event("incident_opened", opened, model_name="fraud", incident_id=incident)
        if rng.random() < 0.4:
            estate.event("incident_opened", opened + hours(5), model_name="x", incident_id=incident)
        if rng.random() < 0.7:
            estate.event(
                "incident_communicated",
                opened + hours(rng.choice([10, 72, 80])),
                model_name="fraud",
                incident_id=incident,
                status=rng.choice(["succeeded", "failed"]),
            )
        concern = _instant(rng, -5, DAYS)
        estate.event(
            "concern_reported",
            concern,
            model_name="fraud",
            incident_id=rng.choice([None, f"CASE-{i}"]),
        )
        if rng.random() < 0.7:
            estate.event(
                rng.choice(["incident_opened", "incident_resolved"]),
                concern + days(rng.choice([1, 20])),
                model_name="fraud",
                incident_id=f"CASE-{i}",
            )
    for asset in ("lake/tx", "lake/users"):
        for suite in ("quality", "schema"):
            for _ in range(8):
                when = _instant(rng, -12, DAYS)
                estate.validation(asset, when, rng.random() < 0.7, suite_name=suite)


def _stored(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """What an evaluation stores, without when it ran."""
    return {
        "control_results": con.execute(
            "SELECT * EXCLUDE (evaluated_at) FROM control_results ORDER BY ALL"
        ).fetchall(),
        "control_effectiveness": con.execute(
            "SELECT * EXCLUDE (evaluated_at) FROM control_effectiveness ORDER BY ALL"
        ).fetchall(),
        "control_evaluations": con.execute(
            "SELECT * EXCLUDE (evaluated_at) FROM control_evaluations ORDER BY ALL"
        ).fetchall(),
        "control_rule_mappings": con.execute(
            "SELECT * EXCLUDE (loaded_at) FROM control_rule_mappings ORDER BY ALL"
        ).fetchall(),
    }


def _warehouse(seed: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    migrate(con)
    _build(con, seed)
    return con


def _day_by_day(seed: int, configuration: ControlConfiguration) -> dict[str, list[tuple]]:
    con = _warehouse(seed)
    for as_of in AS_OFS:
        evaluate(con, configuration, as_of, run_id="r", trigger="backfill")
    return _stored(con)


def _backfilled(seed: int, configuration: ControlConfiguration) -> dict[str, list[tuple]]:
    con = _warehouse(seed)
    evaluate_many(con, configuration, AS_OFS, run_id="r", trigger="backfill")
    return _stored(con)


def test_every_shipped_rule_is_batched(configuration: ControlConfiguration) -> None:
    for mapped in configuration.all_rules():
        assert batched_rule_sql(mapped.rule.sql) is not None, mapped.rule_id


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_backfill_stores_what_each_day_evaluated_alone_stores(
    configuration: ControlConfiguration, seed: int
) -> None:
    expected = _day_by_day(seed, configuration)
    assert len({row[1] for row in expected["control_results"]}) == DAYS
    # the estate exercises every status and most rules
    assert {row[8] for row in expected["control_results"]} >= {
        "pass",
        "fail",
        "stale",
        "not_applicable",
    }
    assert _backfilled(seed, configuration) == expected


def _with_rule(
    configuration: ControlConfiguration, control_id: str, rule_id: str, sql: str
) -> ControlConfiguration:
    rules = dict(configuration.rules)
    model = configuration.rules["A.3.2"][0]
    rules[control_id] = [
        *rules.get(control_id, []),
        dataclasses.replace(
            model,
            control_id=control_id,
            rule=dataclasses.replace(model.rule, rule_id=rule_id, sql=sql),
        ),
    ]
    return dataclasses.replace(configuration, rules=rules)


def test_rules_that_cannot_be_batched_are_evaluated_day_by_day(
    configuration: ControlConfiguration, caplog: pytest.LogCaptureFixture
) -> None:
    recursive = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2) "
        "SELECT 'registered_model' AS subject_type, name AS subject_id, 'pass' AS status, "
        "'owner ' || coalesce(tag_value(tags, $owner_tag), '?') AS reason, evidence_ref "
        "FROM registered_models_as_of, n WHERE i = 1"
    )
    quoted = (
        "SELECT 'registered_model' AS subject_type, name AS subject_id, 'fail' AS status, "
        "tag_value(tags, $owner_tag) AS reason, evidence_ref, observed_at AS relies_on_observed_at "
        'FROM "registered_models_as_of" WHERE valid_from <= $as_of'
    )
    outside = (
        "SELECT 'data_asset' AS subject_type, 'x' AS subject_id, 'pass' AS status, "
        "$owner_tag AS reason, NULL AS evidence_ref FROM read_csv('/etc/hostname')"
    )
    failing = (
        "SELECT 'incident' AS subject_type, incident_id AS subject_id, 'pass' AS status, "
        "CAST(CAST(incident_id AS INTEGER) AS VARCHAR) || $owner_tag AS reason, "
        "evidence_ref FROM deployment_events_as_of WHERE incident_id IS NOT NULL"
    )
    duplicated = (
        "SELECT 'registered_model' AS subject_type, name AS subject_id, "
        "CASE WHEN i = 1 THEN 'pass' ELSE 'passed' END AS status, "
        "$owner_tag || i AS reason, evidence_ref "
        "FROM registered_models_as_of, (VALUES (1), (2)) AS v(i) "
        "WHERE i = 1 OR name = 'fraud' OR $as_of > TIMESTAMPTZ '2026-06-08 00:00:00+00'"
    )
    changed = configuration
    for control_id, rule_id, sql in (
        ("A.2.2", "duplicated_rule", duplicated),
        ("A.2.2", "recursive_rule", recursive),
        ("A.2.3", "quoted_rule", quoted),
        ("A.2.4", "outside_rule", outside),
        ("A.3.2", "failing_rule", failing),
    ):
        changed = _with_rule(changed, control_id, rule_id, sql)
    assert batched_rule_sql(recursive) is None
    assert batched_rule_sql(quoted) is None
    expected = _day_by_day(4, changed)
    errors = {(r[4], r[8]) for r in expected["control_results"] if r[8] == "error"}
    assert {"outside_rule", "failing_rule", "duplicated_rule"} <= {rule for rule, _ in errors}
    assert batched_rule_sql(duplicated) is not None
    with caplog.at_level(logging.INFO, logger="evidence_pipeline.controls.backfill"):
        assert _backfilled(4, changed) == expected
    # the rule that failed when run for all the days says so, with DuckDB's error
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("failing_rule failed when run for all the days" in m for m in warned), warned
    assert any(
        "recursive_rule cannot be run for all the days" in r.getMessage() for r in caplog.records
    )


def test_a_backfill_run_again_replaces_its_evaluations(
    configuration: ControlConfiguration,
) -> None:
    con = _warehouse(5)
    evaluate_many(con, configuration, AS_OFS[:4], run_id="a")
    evaluate(con, configuration, AS_OFS[3], run_id="b", trigger="run")
    evaluate_many(con, configuration, AS_OFS[2:], run_id="c")
    again = _stored(con)
    reference = _warehouse(5)
    for as_of in AS_OFS[:2]:
        evaluate(reference, configuration, as_of, run_id="a", trigger="backfill")
    for as_of in AS_OFS[2:]:
        evaluate(reference, configuration, as_of, run_id="c", trigger="backfill")
    assert again == _stored(reference)
    rows = con.execute("SELECT count(*), count(DISTINCT as_of) FROM control_evaluations").fetchone()
    assert rows == (DAYS, DAYS)


def test_a_rule_runs_without_external_access_in_a_backfill(
    configuration: ControlConfiguration,
) -> None:
    con = _warehouse(6)
    evaluate_many(con, configuration, AS_OFS[:2])
    assert con.execute("SELECT current_setting('enable_external_access')").fetchone()[0] is False


def test_queries_written_for_all_days_stand_in_for_the_shipped_rules(
    configuration: ControlConfiguration,
) -> None:
    rules = {mapped.rule_id: mapped.rule.sql for mapped in configuration.all_rules()}
    written = batching.written_for_all_days()
    assert written
    for rule_id, (digest, _) in written.items():
        assert batching.rule_text_hash(rules[rule_id]) == digest, rule_id


def test_the_rewritten_rules_alone_store_the_same(
    configuration: ControlConfiguration, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batching, "written_for_all_days", dict)
    assert _backfilled(7, configuration) == _day_by_day(7, configuration)
