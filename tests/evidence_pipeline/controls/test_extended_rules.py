"""The rules beyond the reference ones (mappings/extended.yaml), each over a small estate that
exercises every status it gives, evaluated through the engine with the project's configuration.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import yaml

from evidence_pipeline.controls.configuration import PROJECT_MAPPINGS_DIR, ControlConfiguration
from evidence_pipeline.controls.evaluation import evaluate
from tests.evidence_pipeline.controls.estate import Estate, at, days, hours
from tests.evidence_pipeline.controls.evaluating import evaluate_rule, statuses

AS_OF = at("2026-06-30T12:00:00Z")
EXTENDED = PROJECT_MAPPINGS_DIR / "iso42001_2023" / "mappings" / "extended.yaml"
REFERENCE_RULES = {
    "model_has_owner",
    "model_has_intended_use",
    "high_risk_model_has_current_impact_assessment",
    "third_party_model_has_supplier_assessment",
    "live_version_passed_validation",
    "live_version_has_model_card",
    "live_version_has_dataset_lineage",
    "production_deploy_independently_approved",
    "live_endpoint_monitored",
    "data_asset_latest_validation_passed",
    "incident_communicated_within_72h",
}


# What Estate does not set: run details, dataset input context and source, event change
# tickets and details, registry aliases and stages.


def run(
    estate: Estate,
    run_id: str,
    *,
    start_time: datetime | None = None,
    end_time: datetime | None = None,
    status: str = "FINISHED",
    params: dict[str, str] | None = None,
    metrics: dict[str, float] | None = None,
    tags: dict[str, str] | None = None,
) -> None:
    estate.run(run_id, start_time=start_time)
    params = {"max_depth": "6"} if params is None else params
    metrics = {"auc": 0.9} if metrics is None else metrics
    tags = tags or {}
    estate.con.execute(
        """
        UPDATE mlflow_runs SET status = ?, end_time = ?,
            params = MAP(?::VARCHAR[], ?::VARCHAR[]),
            metrics = MAP(?::VARCHAR[], ?::DOUBLE[]),
            tags = MAP(?::VARCHAR[], ?::VARCHAR[])
        WHERE run_id = ?
        """,
        [
            status,
            end_time,
            list(params),
            list(params.values()),
            list(metrics),
            list(metrics.values()),
            list(tags),
            list(tags.values()),
            run_id,
        ],
    )


def dataset_input(
    estate: Estate,
    run_id: str,
    name: str | None,
    *,
    digest: str | None = "d41d8cd9",
    source: str | None = "s3://data/train.parquet",
    context: str | None = "training",
) -> None:
    estate.con.execute(
        "INSERT INTO mlflow_run_dataset_inputs (run_id, dataset_name, digest, source_type, source,"
        " context, observed_at) VALUES (?, ?, ?, 's3', ?, ?, ?)",
        [run_id, name, digest, source, context, estate.observed_at],
    )


def annotate_event(
    estate: Estate,
    event_id: str,
    *,
    change_ticket: str | None = None,
    details: dict | None = None,
) -> None:
    estate.con.execute(
        "UPDATE deployment_events SET change_ticket = ?, details = ? WHERE event_id = ?",
        [change_ticket, json.dumps(details) if details is not None else None, event_id],
    )


def set_aliases(estate: Estate, model: str, aliases: dict[str, str]) -> None:
    estate.con.execute(
        "UPDATE mlflow_registered_models SET aliases = MAP(?::VARCHAR[], ?::VARCHAR[])"
        " WHERE name = ?",
        [list(aliases), list(aliases.values()), model],
    )


def set_stage(estate: Estate, model: str, version: str, stage: str) -> None:
    estate.con.execute(
        "UPDATE mlflow_model_versions SET current_stage = ? WHERE name = ? AND version = ?",
        [stage, model, version],
    )


def live(estate: Estate, model: str, version: str, *, ago: float = 10, **kwargs) -> str:
    """A production deploy `ago` days before AS_OF, approved; returns the event id."""
    return estate.deploy(model, version, AS_OF - days(ago), **kwargs)


# The control each rule is evaluated under here (several controls may share a rule).
CONTROL_OF = {
    "reported_concern_followed_up": "A.3.3",
    "live_version_training_data_documented": "A.4.3",
    "live_version_source_run_records_code_version": "A.4.4",
    "live_endpoint_records_compute_resources": "A.4.5",
    "model_has_risk_tier": "A.5.2",
    "live_version_has_tracked_source_run": "A.6.1.3",
    "live_version_meets_acceptance_criteria": "A.6.2.2",
    "production_change_event_traceable": "A.6.2.8",
    "registry_production_version_is_live": "A.6.2.8",
    "live_version_training_data_validated": "A.7.6",
    "production_deploy_of_validated_version": "A.9.2",
    "third_party_model_responsibilities_allocated": "A.10.2",
}


def results(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    rule_id: str,
    as_of: datetime = AS_OF,
) -> dict[str, tuple[str, str]]:
    """Evaluate the rule at `as_of`; its rows as subject id -> (status, reason)."""
    control_id = CONTROL_OF[rule_id]
    found = evaluate_rule(con, configuration, control_id, rule_id, as_of)
    rows = con.execute(
        "SELECT count(*) FROM control_results WHERE as_of = ? AND rule_id = ?", [as_of, rule_id]
    ).fetchone()[0]
    assert rows == len(found), f"a subject appears twice: {found}"
    assert all(status != "error" for status, _ in found.values()), found
    return found


# --- the mapping file and the catalog ------------------------------------------------------


def test_every_extended_rule_is_mapped_explained_and_distinct_from_the_reference_rules(
    configuration: ControlConfiguration,
) -> None:
    mapping = yaml.safe_load(EXTENDED.read_text(encoding="utf-8"))
    for entry in mapping["mappings"]:
        for rule in entry["rules"]:
            assert rule["explanation"].strip(), rule
    extended = {
        mapped.rule_id
        for mapped in configuration.all_rules()
        if mapped.source.startswith(str(EXTENDED))
    }
    own = extended - REFERENCE_RULES
    assert own == set(CONTROL_OF)
    for rule_id in own:
        header = (PROJECT_MAPPINGS_DIR / "rules" / f"{rule_id}.sql").read_text().splitlines()[0]
        assert header.startswith("-- Shows an auditor"), rule_id


def test_catalog_lists_38_controls_and_every_non_manual_control_has_a_rule(
    configuration: ControlConfiguration,
) -> None:
    controls = list(configuration.controls())
    assert len(controls) == 38
    assert len({c.objective_id for c in controls}) == 10
    for control in controls:
        has_rules = bool(configuration.rules_of(control.control_id))
        assert has_rules == (control.automation != "manual"), control.control_id
        if has_rules:
            assert control.check_name and control.check_name.startswith(
                "a_" + control.control_id[2:].replace(".", "_") + "_"
            ), control.control_id


def test_no_rule_errors_on_a_mixed_estate(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    estate.model("m", {"owner": "ann", "risk_tier": "low"})
    estate.version("m", "1", run_id="r1")
    run(estate, "r1")
    dataset_input(estate, "r1", "train")
    live(estate, "m", "1")
    live(estate, "ghost", "7")
    estate.event("concern_reported", AS_OF - days(1), model_name="m")
    estate.validation("wh/train", AS_OF - days(30), True)
    summary = evaluate(con, configuration, AS_OF)
    assert summary.rules_failed == 0, summary.failed_rules
    errors = con.execute("SELECT count(*) FROM control_results WHERE status = 'error'").fetchone()
    assert errors == (0,)


# --- A.3.3 ----------------------------------------------------------------------------------


def test_reported_concern_followed_up(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    def concern(event_id: str, ago: float, case: str | None = None) -> None:
        estate.event(
            "concern_reported",
            AS_OF - days(ago),
            model_name="doc-summarizer",
            environment="staging",
            incident_id=case,
            event_id=event_id,
        )

    def follow_up(event_type: str, when: datetime, case: str) -> None:
        estate.event(event_type, when, model_name="doc-summarizer", incident_id=case)

    concern("c-answered", 20, "CASE-1")
    follow_up("incident_opened", AS_OF - days(18), "CASE-1")
    concern("c-no-case", 20)
    concern("c-pending", 3)
    concern("c-late", 30, "CASE-4")
    follow_up("incident_opened", AS_OF - days(5), "CASE-4")
    concern("c-after-as-of", 20, "CASE-6")
    follow_up("incident_opened", AS_OF + hours(1), "CASE-6")
    concern("c-old", 100, "CASE-7")

    found = results(con, configuration, "reported_concern_followed_up")

    assert statuses(found) == {
        "c-answered": "pass",
        "c-no-case": "fail",
        "c-pending": "not_applicable",
        "c-late": "fail",
        "c-after-as-of": "fail",
    }
    assert "incident_opened on case CASE-1" in found["c-answered"][1]
    assert "no case reference" in found["c-no-case"][1]
    assert "after the 14-day response period" in found["c-late"][1]


# --- A.5.2 ----------------------------------------------------------------------------------


def test_model_has_risk_tier(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    estate.model("tiered", {"risk_tier": " High "})
    estate.model("untiered", {"owner": "ann"})
    estate.model("odd", {"risk_tier": "extreme"})

    found = results(con, configuration, "model_has_risk_tier")

    assert statuses(found) == {"tiered": "pass", "untiered": "fail", "odd": "fail"}
    assert found["tiered"][1] == "risk_tier is high"
    assert found["untiered"][1] == "risk_tier tag is empty"
    assert "'extreme' is not one of high, medium, low" in found["odd"][1]


def test_model_has_risk_tier_as_of_ignores_later_tag_changes(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    changed = AS_OF + hours(2)
    estate.model("m", {}, valid_to=changed)
    estate.model("m", {"risk_tier": "low"}, valid_from=changed, observed_at=changed)

    assert statuses(results(con, configuration, "model_has_risk_tier")) == {"m": "fail"}


def test_verdict_on_a_registry_row_first_observed_after_as_of_is_backdated(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    estate.model("recorded", {"risk_tier": "low"}, observed_at=AS_OF - days(1))
    estate.model("reconstructed", {"risk_tier": "low"}, observed_at=AS_OF + days(3))

    results(con, configuration, "model_has_risk_tier")

    backdated = dict(
        con.execute(
            "SELECT subject_id, backdated FROM control_results"
            " WHERE rule_id = 'model_has_risk_tier' AND as_of = ?",
            [AS_OF],
        ).fetchall()
    )
    assert backdated == {"recorded": False, "reconstructed": True}


# --- A.10.2 ---------------------------------------------------------------------------------


def test_third_party_model_responsibilities_allocated(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    estate.model("own", {"provider": "Internal", "owner": "ann"})
    estate.model("unmarked", {"owner": "ann"})
    estate.model(
        "llm", {"provider": "Acme AI", "owner": "ann", "responsibility_agreement": "MSA-7"}
    )
    estate.model("no-agreement", {"provider": "Acme AI", "owner": "ann"})
    estate.model("orphan", {"provider": "Acme AI"})

    found = results(con, configuration, "third_party_model_responsibilities_allocated")

    assert statuses(found) == {
        "own": "not_applicable",
        "unmarked": "not_applicable",
        "llm": "pass",
        "no-agreement": "fail",
        "orphan": "fail",
    }
    assert found["no-agreement"][1].endswith("has no responsibility_agreement")
    assert "no owner and no responsibility_agreement" in found["orphan"][1]


# --- A.4.3, A.7.2 (and A.4.2) ---------------------------------------------------------------


def test_live_version_training_data_documented(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    for name, run_id in [("good", "r1"), ("no-source", "r2"), ("eval-only", "r3")]:
        estate.model(name)
        estate.version(name, "1", run_id=run_id)
        run(estate, run_id)
        live(estate, name, "1")
    dataset_input(estate, "r1", "loans", context="Training")
    dataset_input(estate, "r1", "holdout", context="eval")
    dataset_input(estate, "r2", "loans", source=None)
    dataset_input(estate, "r3", "loans", context="eval")
    estate.model("no-run")
    estate.version("no-run", "1")
    live(estate, "no-run", "1")
    live(estate, "ghost", "4")
    estate.deploy("staging-only", "1", AS_OF - days(1), environment="staging")

    found = results(con, configuration, "live_version_training_data_documented")

    assert statuses(found) == {
        "good/1": "pass",
        "no-source/1": "fail",
        "eval-only/1": "fail",
        "no-run/1": "fail",
        "ghost/4": "fail",
    }
    assert found["good/1"][1] == "source run r1 recorded training data: loans"
    assert "none with name, source and digest" in found["no-source/1"][1]
    assert "no dataset input with context training" in found["eval-only/1"][1]
    assert found["no-run/1"][1] == "version has no source run"
    assert found["ghost/4"][1] == "not in registry"


# --- A.4.4 ----------------------------------------------------------------------------------


def test_live_version_source_run_records_code_version(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    cases = [
        ("mlflow-git", "r1", {"mlflow.source.git.commit": "3f2a9c1"}),
        ("own-tag", "r2", {"git_commit": "77aa01"}),
        ("blank", "r3", {"git_commit": "  ", "team": "risk"}),
    ]
    for name, run_id, tags in cases:
        estate.model(name)
        estate.version(name, "1", run_id=run_id)
        run(estate, run_id, tags=tags)
        live(estate, name, "1")
    estate.model("lost-run")
    estate.version("lost-run", "1", run_id="r-missing")
    live(estate, "lost-run", "1")

    found = results(con, configuration, "live_version_source_run_records_code_version")

    assert statuses(found) == {
        "mlflow-git/1": "pass",
        "own-tag/1": "pass",
        "blank/1": "fail",
        "lost-run/1": "fail",
    }
    assert found["mlflow-git/1"][1] == "source run r1 recorded mlflow.source.git.commit=3f2a9c1"
    assert "none of the tags mlflow.source.git.commit, git_commit" in found["blank/1"][1]
    assert "is not in the warehouse" in found["lost-run/1"][1]


# --- A.4.5 ----------------------------------------------------------------------------------


def test_live_endpoint_records_compute_resources(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    jsonl = live(estate, "scorer", "1")
    annotate_event(estate, jsonl, details={"instance_type": "ml.m5.xlarge", "replicas": 2})
    sagemaker = live(estate, "fraud", "2", endpoint="fraud-prod")
    annotate_event(
        estate,
        sagemaker,
        details={"eventName": "UpdateEndpoint", "endpointConfigName": "fraud-v2-config"},
    )
    bare = live(estate, "churn", "1")
    annotate_event(estate, bare, details={"reason": "weekly release"})
    old = live(estate, "forecast", "1", ago=20)
    annotate_event(estate, old, details={"instance_type": "ml.c5.large"})
    estate.event("undeploy", AS_OF - days(2), model_name="forecast")

    found = results(con, configuration, "live_endpoint_records_compute_resources")

    assert statuses(found) == {
        "production/scorer": "pass",
        "production/fraud-prod": "pass",
        "production/churn": "fail",
    }
    assert "instance_type=ml.m5.xlarge" in found["production/scorer"][1]
    assert "endpointConfigName=fraud-v2-config" in found["production/fraud-prod"][1]
    assert "recorded none of instance_type, endpointConfigName" in found["production/churn"][1]


# --- A.6.1.3, A.6.2.3 -----------------------------------------------------------------------


def test_live_version_has_tracked_source_run(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    runs = {
        "tracked": {"end_time": AS_OF - days(40)},
        "running": {"status": "RUNNING"},
        "no-metrics": {"metrics": {}},
        "finished-later": {"end_time": AS_OF + hours(3)},
    }
    for name, fields in runs.items():
        estate.model(name)
        estate.version(name, "1", run_id=f"run-{name}")
        run(estate, f"run-{name}", **fields)
        live(estate, name, "1")
    estate.model("uploaded")
    estate.version("uploaded", "1")
    live(estate, "uploaded", "1")

    found = results(con, configuration, "live_version_has_tracked_source_run")

    assert statuses(found) == {
        "tracked/1": "pass",
        "running/1": "fail",
        "no-metrics/1": "fail",
        "finished-later/1": "fail",
        "uploaded/1": "fail",
    }
    assert "finished with 1 parameter(s) and 1 metric(s)" in found["tracked/1"][1]
    assert "had not finished (status running)" in found["running/1"][1]
    assert found["no-metrics/1"][1].endswith("recorded no metrics")
    assert found["finished-later/1"][1].endswith("after the evaluation instant")
    assert found["uploaded/1"][1] == "version was not registered from a tracked run"
    shared = [
        control.control_id
        for control in configuration.controls()
        if "live_version_has_tracked_source_run"
        in {r.rule_id for r in configuration.rules_of(control.control_id)}
    ]
    assert shared == ["A.6.1.3", "A.6.2.3"]


# --- A.6.2.2 --------------------------------------------------------------------------------


def test_live_version_meets_acceptance_criteria(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    criteria = {"acceptance_metric": "auc", "acceptance_threshold": "0.8"}
    cases = [
        ("meets", criteria, {}, {"auc": 0.85}),
        ("misses", criteria, {}, {"auc": 0.75}),
        (
            "lower-better",
            {},
            {
                "acceptance_metric": "rmse",
                "acceptance_threshold": "12",
                "acceptance_direction": "At_Most",
            },
            {"rmse": 10.5},
        ),
        ("no-criteria", {}, {}, {"auc": 0.99}),
        (
            "bad-threshold",
            {"acceptance_metric": "auc", "acceptance_threshold": "high"},
            {},
            {"auc": 0.9},
        ),
        ("not-logged", criteria, {}, {"f1": 0.9}),
    ]
    for name, model_tags, version_tags, metrics in cases:
        estate.model(name, model_tags)
        estate.version(name, "1", version_tags, run_id=f"run-{name}")
        run(estate, f"run-{name}", metrics=metrics)
        live(estate, name, "1")

    found = results(con, configuration, "live_version_meets_acceptance_criteria")

    assert statuses(found) == {
        "meets/1": "pass",
        "misses/1": "fail",
        "lower-better/1": "pass",
        "no-criteria/1": "fail",
        "bad-threshold/1": "fail",
        "not-logged/1": "fail",
    }
    assert found["meets/1"][1] == "auc = 0.85 >= 0.8"
    assert found["misses/1"][1] == "auc = 0.75 does not meet >= 0.8"
    assert found["lower-better/1"][1] == "rmse = 10.5 <= 12"
    assert "no acceptance criteria recorded" in found["no-criteria/1"][1]
    assert "'high' is not a number" in found["bad-threshold/1"][1]
    assert "did not log metric auc" in found["not-logged/1"][1]


# --- A.6.2.8 --------------------------------------------------------------------------------


def test_production_change_event_traceable(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    traced = live(estate, "m", "2", ago=5)
    annotate_event(estate, traced, change_ticket="CHG-1042")
    untracked = live(estate, "m", "1", ago=8)
    anonymous = estate.event("undeploy", AS_OF - days(1), model_name="old", actor=None)
    annotate_event(estate, anonymous, change_ticket="CHG-2000")
    estate.deploy("m", "3", AS_OF - days(1), environment="staging")
    failed = live(estate, "m", "4", ago=2, status="failed")
    ancient = live(estate, "m", "0", ago=120)

    found = results(con, configuration, "production_change_event_traceable")

    assert statuses(found) == {traced: "pass", untracked: "fail", anonymous: "fail"}
    assert found[traced][1] == "deploy of production/m by alice under CHG-1042"
    assert found[untracked][1] == "deploy of production/m names no change_ticket"
    assert found[anonymous][1] == "undeploy of production/old names no actor"
    assert failed not in found and ancient not in found


def test_registry_production_version_is_live(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    estate.model("credit")
    estate.version("credit", "2")
    estate.version("credit", "3")
    set_aliases(estate, "credit", {"Champion": "2", "challenger": "3"})
    live(estate, "credit", "2")
    estate.model("churn")
    estate.version("churn", "1")
    set_aliases(estate, "churn", {"production": "1"})
    estate.model("legacy")
    estate.version("legacy", "2")
    estate.version("legacy", "3")
    set_stage(estate, "legacy", "3", "Production")
    live(estate, "legacy", "2")

    found = results(con, configuration, "registry_production_version_is_live")

    assert statuses(found) == {"credit/2": "pass", "churn/1": "fail", "legacy/3": "fail"}
    assert found["credit/2"][1] == (
        "registry marks it for production (alias Champion); live on production/credit"
    )
    assert "no production endpoint has it live" in found["churn/1"][1]
    assert "(stage Production)" in found["legacy/3"][1]


# --- A.7.6, A.7.2 ---------------------------------------------------------------------------


def test_live_version_training_data_validated(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    trained = AS_OF - days(30)
    estate.validation("wh/loans", trained - days(2), True)
    estate.validation("wh/loans", trained + days(1), False)  # after training: irrelevant
    estate.validation("wh/bad", trained - days(1), False)
    estate.validation("wh/mixed", trained - days(3), True, suite_name="schema")
    estate.validation("wh/mixed", trained - days(2), False, suite_name="ranges")
    estate.validation("wh/late", trained + days(1), True)
    cases = [
        ("tagged", {"data_asset": "wh/loans"}, None),
        ("failed", {"data_asset": "wh/loans, wh/bad"}, None),
        ("one-suite-failed", {"data_asset": "wh/mixed"}, None),
        ("by-name", {}, "loans"),
        ("unlinked", {}, "scratch"),
        ("too-late", {"data_asset": "wh/late"}, None),
    ]
    for name, tags, input_name in cases:
        estate.model(name)
        estate.version(name, "1", run_id=f"run-{name}")
        run(estate, f"run-{name}", start_time=trained, tags=tags)
        if input_name:
            dataset_input(estate, f"run-{name}", input_name)
        live(estate, name, "1")

    found = results(con, configuration, "live_version_training_data_validated")

    assert statuses(found) == {
        "tagged/1": "pass",
        "failed/1": "fail",
        "one-suite-failed/1": "fail",
        "by-name/1": "pass",
        "unlinked/1": "fail",
        "too-late/1": "fail",
    }
    assert found["tagged/1"][1] == "validated before training: wh/loans"
    assert found["failed/1"][1] == "latest validation before training failed: wh/bad (quality)"
    assert found["one-suite-failed/1"][1].endswith("wh/mixed (ranges)")
    assert found["by-name/1"][1] == "validated before training: wh/loans"
    assert "names no validated data asset" in found["unlinked/1"][1]
    assert found["too-late/1"][1] == "not validated before training: wh/late"


# --- A.9.2 ----------------------------------------------------------------------------------


def test_production_deploy_of_validated_version(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    estate.model("scorer")
    estate.version("scorer", "1", {"validation_status": "Passed"}, created_at=at("2026-01-01"))
    # version 2 was deployed while its validation had failed; it was marked passed later
    fixed = AS_OF - days(5)
    estate.version(
        "scorer", "2", {"validation_status": "failed"}, created_at=at("2026-05-01"), valid_to=fixed
    )
    estate.version(
        "scorer",
        "2",
        {"validation_status": "passed"},
        created_at=at("2026-05-01"),
        valid_from=fixed,
        observed_at=fixed,
    )
    estate.version("scorer", "3", created_at=at("2026-06-01"))
    good = live(estate, "scorer", "1", ago=40)
    premature = live(estate, "scorer", "2", ago=20)
    untagged = live(estate, "scorer", "3", ago=10)
    restored = estate.event(
        "rollback", AS_OF - days(9), model_name="scorer", model_version="1", actor="alice"
    )
    unknown = live(estate, "scorer", "9", ago=3)
    estate.deploy("scorer", "2", AS_OF - days(1), environment="staging")

    found = results(con, configuration, "production_deploy_of_validated_version")

    assert statuses(found) == {
        good: "pass",
        premature: "fail",
        untagged: "fail",
        restored: "pass",
        unknown: "fail",
    }
    assert found[premature][1] == (
        "deploy of scorer/2 to production/scorer: validation_status was failed at the time"
    )
    assert found[untagged][1].endswith("validation_status tag was empty at the time")
    assert found[unknown][1].endswith("version not in registry at the time")


# --- a rule that needs a source gives no rows without its evidence (no_evidence) -----------


def test_cross_source_rules_give_no_rows_without_the_judging_source(
    con: duckdb.DuckDBPyConnection, estate: Estate, configuration: ControlConfiguration
) -> None:
    estate.model("credit")
    estate.version("credit", "2", run_id="r2")
    set_aliases(estate, "credit", {"champion": "2"})
    run(estate, "r2", tags={"data_asset": "wh/loans"})

    assert results(con, configuration, "registry_production_version_is_live") == {}

    live(estate, "credit", "2")
    assert results(con, configuration, "live_version_training_data_validated") == {}
    statuses_by_control = dict(
        con.execute(
            "SELECT control_id, status FROM control_effectiveness"
            " WHERE as_of = ? AND control_id IN ('A.7.6')",
            [AS_OF],
        ).fetchall()
    )
    assert statuses_by_control == {"A.7.6": "no_evidence"}
