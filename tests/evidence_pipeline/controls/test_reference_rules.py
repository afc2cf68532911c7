"""The 11 reference rules of evidence-model.md, section 5, over small estates that give every
status each rule can give, with the edge cases the contract names."""

from __future__ import annotations

from evidence_pipeline.controls.configuration import ControlConfiguration
from tests.evidence_pipeline.controls.estate import Estate, at, days, hours
from tests.evidence_pipeline.controls.evaluating import evaluate_rule, statuses

AS_OF = at("2026-06-30T12:00:00Z")


def test_model_has_owner(con, estate: Estate, configuration: ControlConfiguration) -> None:
    estate.model("fraud", {"owner": "ann@example.com"})
    estate.model("churn", {"owner": "   "})
    estate.model("pricing", {})
    results = evaluate_rule(con, configuration, "A.3.2", "model_has_owner", AS_OF)
    assert statuses(results) == {"fraud": "pass", "churn": "fail", "pricing": "fail"}
    assert results["fraud"][1] == "owner is ann@example.com"
    assert "owner" in results["pricing"][1]


def test_model_has_intended_use(con, estate: Estate, configuration) -> None:
    estate.model("fraud", {"intended_use": "Score card payments for fraud review"})
    estate.model("churn", {"intended_use": ""})
    results = evaluate_rule(con, configuration, "A.9.4", "model_has_intended_use", AS_OF)
    assert statuses(results) == {"fraud": "pass", "churn": "fail"}


def test_high_risk_model_has_current_impact_assessment(con, estate: Estate, configuration) -> None:
    def high(name: str, **tags: str) -> None:
        estate.model(name, {"risk_tier": "high", **tags})

    high("current", impact_assessment="IA-7", impact_assessment_date="2026-01-15")
    high("same_day", impact_assessment="IA-8", impact_assessment_date="2026-06-30")
    high("old", impact_assessment="IA-1", impact_assessment_date="2025-06-01")
    high("no_reference", impact_assessment_date="2026-01-15")
    high("no_date", impact_assessment="IA-2")
    high("garbled", impact_assessment="IA-3", impact_assessment_date="15/01/2026")
    high("unpadded", impact_assessment="IA-5", impact_assessment_date="2026-1-5")
    high("short_year", impact_assessment="IA-6", impact_assessment_date="26-01-05")
    high("future", impact_assessment="IA-4", impact_assessment_date="2026-07-01")
    estate.model("low", {"risk_tier": "low"})
    estate.model("untiered", {})
    results = evaluate_rule(
        con, configuration, "A.5.3", "high_risk_model_has_current_impact_assessment", AS_OF
    )
    assert statuses(results) == {
        "current": "pass",
        "same_day": "pass",
        "old": "stale",
        "no_reference": "fail",
        "no_date": "fail",
        "garbled": "fail",
        "unpadded": "fail",
        "short_year": "fail",
        "future": "fail",
        "low": "not_applicable",
        "untiered": "not_applicable",
    }
    assert "not a YYYY-MM-DD date" in results["garbled"][1]
    assert "not a YYYY-MM-DD date" in results["unpadded"][1]
    assert "after as_of" in results["future"][1]
    assert "older than 365 days" in results["old"][1]


def test_impact_assessment_window_is_365_days_of_24_hours(
    con, estate: Estate, configuration
) -> None:
    # 2025-07-01T00:00Z is 364.5 days before as_of; 2025-06-30T00:00Z is 365.5 days before.
    estate.model(
        "inside",
        {"risk_tier": "high", "impact_assessment": "A", "impact_assessment_date": "2025-07-01"},
    )
    estate.model(
        "outside",
        {"risk_tier": "high", "impact_assessment": "B", "impact_assessment_date": "2025-06-30"},
    )
    results = evaluate_rule(
        con, configuration, "A.5.3", "high_risk_model_has_current_impact_assessment", AS_OF
    )
    assert statuses(results) == {"inside": "pass", "outside": "stale"}


def test_third_party_model_has_supplier_assessment(con, estate: Estate, configuration) -> None:
    estate.model("vendor_ok", {"provider": "Acme AI", "supplier_assessment": "SA-12"})
    estate.model("vendor_missing", {"provider": "Acme AI"})
    estate.model("internal", {"provider": "Internal"})
    estate.model("no_provider", {})
    results = evaluate_rule(
        con, configuration, "A.10.3", "third_party_model_has_supplier_assessment", AS_OF
    )
    assert statuses(results) == {
        "vendor_ok": "pass",
        "vendor_missing": "fail",
        "internal": "not_applicable",
        "no_provider": "not_applicable",
    }


def _live_estate(estate: Estate) -> None:
    """Endpoints whose live version is decided by rollbacks, undeploys, failures and case."""
    t0 = at("2026-06-01T00:00:00Z")
    estate.model("fraud", {"owner": "ann"})
    estate.version(
        "fraud", "1", {"validation_status": "passed", "model_card": "cards/f1"}, run_id="r1"
    )
    estate.version("fraud", "2", {"validation_status": "failed"}, run_id="r2")
    estate.version("churn", "4", {"validation_status": "passed"}, run_id="r4")
    estate.version("churn", "5", {"validation_status": "passed", "model_card": "cards/c5"})
    estate.version("ranker", "1", {"validation_status": "passed", "model_card": "cards/r1"})
    # fraud: 1 deployed, 2 deployed, rolled back to 1 -> 1 is live.
    estate.deploy("fraud", "1", t0)
    estate.deploy("fraud", "2", t0 + days(1))
    estate.event(
        "rollback",
        t0 + days(2),
        model_name="fraud",
        model_version="1",
        actor="carol",
        approved_by="dan",
    )
    # churn: 4 deployed in "PRODUCTION" (mixed case); a failed deploy of 5 changes nothing;
    # 5 deployed to staging only.
    estate.deploy("churn", "4", t0, environment="PRODUCTION")
    estate.deploy("churn", "5", t0 + days(3), status="failed")
    estate.deploy("churn", "5", t0 + days(3), environment="staging")
    # ranker: deployed then undeployed -> not live.
    estate.deploy("ranker", "1", t0)
    estate.event("undeploy", t0 + days(4), model_name="ranker")
    # ghost: a version the registry does not know is live.
    estate.deploy("ghost", "7", t0)
    # twin: two deploys at the same instant; the larger event_id is the later one.
    estate.version("twin", "1", {"validation_status": "passed"})
    estate.version("twin", "2", {"validation_status": "failed"})
    estate.deploy("twin", "2", t0, event_id="twin-b")
    estate.deploy("twin", "1", t0, event_id="twin-a")


def test_live_version_passed_validation_follows_rollbacks_and_undeploys(
    con, estate: Estate, configuration
) -> None:
    _live_estate(estate)
    results = evaluate_rule(con, configuration, "A.6.2.4", "live_version_passed_validation", AS_OF)
    assert statuses(results) == {
        "fraud/1": "pass",
        "churn/4": "pass",
        "ghost/7": "fail",
        "twin/2": "fail",
    }
    assert results["ghost/7"][1] == "not in registry"
    assert "validation_status is failed" in results["twin/2"][1]


def test_live_version_has_model_card(con, estate: Estate, configuration) -> None:
    _live_estate(estate)
    results = evaluate_rule(con, configuration, "A.6.2.7", "live_version_has_model_card", AS_OF)
    assert statuses(results) == {
        "fraud/1": "pass",
        "churn/4": "fail",
        "ghost/7": "fail",
        "twin/2": "fail",
    }
    assert results["ghost/7"][1] == "not in registry"
    assert "model_card" in results["churn/4"][1]


def test_live_version_has_dataset_lineage(con, estate: Estate, configuration) -> None:
    _live_estate(estate)
    estate.run("r1")
    estate.dataset_input("r1", "transactions", "9f2c")
    estate.run("r4")
    estate.dataset_input("r4", "customers", None)
    results = evaluate_rule(con, configuration, "A.7.5", "live_version_has_dataset_lineage", AS_OF)
    assert statuses(results) == {
        "fraud/1": "pass",
        "churn/4": "fail",
        "ghost/7": "fail",
        "twin/2": "fail",
    }
    assert "transactions@9f2c" in results["fraud/1"][1]
    assert "no dataset input with a digest" in results["churn/4"][1]
    assert results["ghost/7"][1] == "not in registry"
    assert "no source run" in results["twin/2"][1]


def test_production_deploy_independently_approved(con, estate: Estate, configuration) -> None:
    t = AS_OF - days(10)
    estate.version("m", "1", created_at=t - days(30))
    estate.version("m", "2", created_at=t + hours(1))  # registered after its deploy
    ok = estate.deploy("m", "1", t, actor="alice", approved_by="bob")
    self_case = estate.deploy("m", "1", t, actor="Alice", approved_by="alice")
    self_arn = estate.deploy(
        "m",
        "1",
        t,
        actor="arn:aws:sts::123456789012:assumed-role/Deployer/alice",
        approved_by="Alice",
    )
    arn_ok = estate.deploy(
        "m",
        "1",
        t,
        actor="arn:aws:sts::123456789012:assumed-role/Deployer/alice",
        approved_by="bob",
    )
    unapproved = estate.deploy("m", "1", t, actor="alice", approved_by=None)
    no_actor = estate.deploy("m", "1", t, actor="", approved_by="bob")
    early = estate.deploy("m", "2", t, actor="alice", approved_by="bob")
    ghost = estate.deploy("ghost", "1", t, actor="alice", approved_by="bob")
    rollback = estate.event(
        "rollback", t, model_name="m", model_version="1", actor="carol", approved_by="carol"
    )
    mixed_env = estate.deploy("m", "1", t, environment="Production", actor="x", approved_by="y")
    at_as_of = estate.deploy("m", "1", AS_OF, actor="x", approved_by="y")  # window is (.., as_of]
    estate.deploy("m", "1", AS_OF - days(90), actor="x", approved_by="x")  # just outside
    # Not subjects: outside the 90-day window, not production, failed, undeploy.
    estate.deploy("m", "1", AS_OF - days(91), actor="alice", approved_by="alice")
    estate.deploy("m", "1", t, environment="staging", actor="alice", approved_by="alice")
    estate.deploy("m", "1", t, status="failed", actor="alice", approved_by="alice")
    estate.event("undeploy", t, model_name="m", actor="alice", approved_by="alice")
    estate.deploy("m", "1", AS_OF + hours(1), actor="alice", approved_by="alice")
    results = evaluate_rule(
        con, configuration, "A.6.2.5", "production_deploy_independently_approved", AS_OF
    )
    assert statuses(results) == {
        ok: "pass",
        self_case: "fail",
        self_arn: "fail",
        arn_ok: "pass",
        unapproved: "fail",
        no_actor: "fail",
        early: "fail",
        ghost: "fail",
        rollback: "fail",
        mixed_env: "pass",
        at_as_of: "pass",
    }
    assert "approved by the person who performed it" in results[self_case][1]
    assert "approved by the person who performed it" in results[self_arn][1]
    assert "no approver" in results[unapproved][1]
    assert "no actor" in results[no_actor][1]
    assert "registered after" in results[early][1]
    assert results[ghost][1] == "not in registry"


def test_a_version_deleted_after_its_deploy_was_registered_at_the_deploy(
    con, estate: Estate, configuration
) -> None:
    """A.6.2.5 asks whether the version was registered at or before the event: a version
    deleted from the registry (or changed) since its deploy still was; one deleted before it
    was not."""
    t = AS_OF - days(10)
    estate.version("m", "1", created_at=t - days(30), valid_to=t + days(2))  # deleted since
    estate.version("m", "2", created_at=t - days(30), valid_to=t + days(1))  # then changed:
    estate.version("m", "2", {"stage": "archived"}, created_at=t - days(30), valid_from=t + days(1))
    estate.version("m", "3", created_at=t - days(30), valid_to=t - days(1))  # deleted before
    deleted_since = estate.deploy("m", "1", t)
    changed_since = estate.deploy("m", "2", t)
    deleted_before = estate.deploy("m", "3", t)

    results = evaluate_rule(
        con, configuration, "A.6.2.5", "production_deploy_independently_approved", AS_OF
    )

    assert statuses(results) == {
        deleted_since: "pass",
        changed_since: "pass",
        deleted_before: "fail",
    }
    assert results[deleted_before][1] == "not in registry"


def test_live_endpoint_monitored(con, estate: Estate, configuration) -> None:
    t0 = at("2026-06-01T00:00:00Z")
    for name in ("fresh", "old", "edge", "never", "failed_check", "retired"):
        estate.deploy(name, "1", t0)
    estate.event("undeploy", t0 + days(1), model_name="retired")
    estate.event("monitoring_check", AS_OF - hours(2), model_name="fresh")
    estate.event("monitoring_check", AS_OF - hours(30), model_name="old")
    estate.event("monitoring_check", AS_OF - hours(24), model_name="edge")
    estate.event("monitoring_check", AS_OF - hours(1), model_name="failed_check", status="failed")
    estate.event("monitoring_check", AS_OF - hours(1), model_name="retired")
    estate.event("monitoring_check", AS_OF + hours(1), model_name="never")
    results = evaluate_rule(con, configuration, "A.6.2.6", "live_endpoint_monitored", AS_OF)
    assert statuses(results) == {
        "production/fresh": "pass",
        "production/old": "stale",
        "production/edge": "stale",
        "production/never": "fail",
        "production/failed_check": "fail",
    }
    assert "older than 24 hours" in results["production/old"][1]


def test_data_asset_latest_validation_passed(con, estate: Estate, configuration) -> None:
    estate.validation("lake/orders", AS_OF - days(1), True)
    estate.validation("lake/orders", AS_OF - days(1), True, suite_name="schema")
    estate.validation("lake/refunds", AS_OF - days(3), False)  # earlier failure...
    estate.validation("lake/refunds", AS_OF - days(1), True)  # ...superseded
    estate.validation("lake/customers", AS_OF - days(1), True)
    estate.validation("lake/customers", AS_OF - days(2), False, suite_name="schema")
    estate.validation("lake/payments", AS_OF - days(8), True)
    estate.validation("lake/edge", AS_OF - days(7), True)  # at most 7 days old: still fresh
    estate.validation("lake/payments", AS_OF + hours(1), False)  # after as_of: not seen
    results = evaluate_rule(
        con, configuration, "A.7.4", "data_asset_latest_validation_passed", AS_OF
    )
    assert statuses(results) == {
        "lake/orders": "pass",
        "lake/refunds": "pass",
        "lake/customers": "fail",
        "lake/payments": "stale",
        "lake/edge": "pass",
    }
    assert "schema" in results["lake/customers"][1]


def test_incident_communicated_within_72h(con, estate: Estate, configuration) -> None:
    def incident(incident_id: str, opened, communicated=None, status="succeeded") -> None:
        estate.event("incident_opened", opened, model_name="m", incident_id=incident_id)
        if communicated is not None:
            estate.event(
                "incident_communicated",
                communicated,
                model_name="m",
                incident_id=incident_id,
                status=status,
                environment="staging",
            )

    incident("INC-ON-TIME", AS_OF - days(10), AS_OF - days(10) + hours(10))
    incident("INC-LATE", AS_OF - days(10), AS_OF - days(10) + hours(80))
    incident("INC-SILENT", AS_OF - days(5))
    incident("INC-FAILED-NOTICE", AS_OF - days(5), AS_OF - days(5) + hours(1), status="failed")
    incident("INC-WITHIN-DEADLINE", AS_OF - hours(30))
    incident("INC-OLD", AS_OF - days(100), None)
    results = evaluate_rule(con, configuration, "A.8.4", "incident_communicated_within_72h", AS_OF)
    assert statuses(results) == {
        "INC-ON-TIME": "pass",
        "INC-LATE": "fail",
        "INC-SILENT": "fail",
        "INC-FAILED-NOTICE": "fail",
        "INC-WITHIN-DEADLINE": "not_applicable",
    }
    assert "has not passed" in results["INC-WITHIN-DEADLINE"][1]


def test_deploy_verdicts_are_backdated_only_when_they_rest_on_the_registry(
    con, estate: Estate, configuration
) -> None:
    # The version's registry row was first observed after as_of: a verdict that uses it is a
    # reconstruction; one that follows from the event alone (who acted, who approved) is not.
    t = AS_OF - days(10)
    estate.version("m", "1", created_at=t - days(30), observed_at=AS_OF + days(7))
    estate.version("m", "2", created_at=t + hours(1), observed_at=AS_OF + days(7))
    approved = estate.deploy("m", "1", t, actor="alice", approved_by="bob")
    early = estate.deploy("m", "2", t, actor="alice", approved_by="bob")
    self_approved = estate.deploy("m", "1", t, actor="alice", approved_by="Alice")
    unapproved = estate.deploy("m", "1", t, actor="alice", approved_by=None)
    evaluate_rule(con, configuration, "A.6.2.5", "production_deploy_independently_approved", AS_OF)
    backdated = dict(
        con.execute(
            "SELECT subject_id, backdated FROM control_results WHERE as_of = ? AND rule_id = ?",
            [AS_OF, "production_deploy_independently_approved"],
        ).fetchall()
    )
    assert backdated == {
        approved: True,
        early: True,
        self_approved: False,
        unapproved: False,
    }


def test_an_endpoint_never_monitored_points_at_the_deploy_that_made_it_live(
    con, estate: Estate, configuration
) -> None:
    # Every result carries an evidence_ref an auditor can follow: with no check to point at,
    # the endpoint's verdict points at the deploy event that put its version live.
    estate.deploy("never", "1", at("2026-06-01T00:00:00Z"))
    evaluate_rule(con, configuration, "A.6.2.6", "live_endpoint_monitored", AS_OF)
    ref = con.execute(
        "SELECT evidence_ref FROM control_results WHERE subject_id = 'production/never'"
    ).fetchone()[0]
    assert ref is not None and ref.startswith("s3://logs/deploy.jsonl:1#")
