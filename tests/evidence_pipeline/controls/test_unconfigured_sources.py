"""A source that is not configured (its ingestion recorded as `skipped`): the rules that need it
return no rows, so its controls show `no_evidence` (evidence-model.md, section 1), even when the
warehouse still holds what an earlier run read from it."""

from __future__ import annotations

from evidence_pipeline.controls.evaluation import evaluate
from tests.evidence_pipeline.controls.estate import Estate, at, days, hours
from tests.evidence_pipeline.controls.evaluating import only_controls

AS_OF = at("2026-06-30T12:00:00Z")
REFERENCE_CONTROLS = (
    "A.3.2",
    "A.9.4",
    "A.5.3",
    "A.10.3",
    "A.6.2.4",
    "A.6.2.7",
    "A.7.5",
    "A.6.2.5",
    "A.6.2.6",
    "A.7.4",
    "A.8.4",
)


def _statuses(con, configuration) -> dict[str, str]:
    evaluate(con, only_controls(configuration, *REFERENCE_CONTROLS), AS_OF)
    rows = con.execute(
        "SELECT control_id, status FROM control_effectiveness WHERE as_of = ?", [AS_OF]
    ).fetchall()
    return {control_id: status for control_id, status in rows if control_id in REFERENCE_CONTROLS}


def _deploy_logs(estate: Estate) -> None:
    estate.deploy("fraud", "3", AS_OF - days(5))
    estate.event("monitoring_check", AS_OF - hours(2), model_name="fraud")
    estate.event("incident_opened", AS_OF - days(10), model_name="fraud", incident_id="INC-1")
    estate.event(
        "incident_communicated",
        AS_OF - days(10) + hours(1),
        model_name="fraud",
        incident_id="INC-1",
    )


def test_registry_not_configured_leaves_its_controls_without_evidence(
    con, estate: Estate, configuration
) -> None:
    estate.ingestion("mlflow", "skipped", AS_OF - hours(1))
    estate.ingestion("deploy_logs", "succeeded", AS_OF - hours(1))
    _deploy_logs(estate)
    statuses = _statuses(con, configuration)
    # The live version and the deploy need the registry: no row, not a failure.
    for control_id in ("A.3.2", "A.9.4", "A.5.3", "A.10.3", "A.6.2.4", "A.6.2.7", "A.7.5"):
        assert statuses[control_id] == "no_evidence", control_id
    assert statuses["A.6.2.5"] == "no_evidence"
    # Rules over the deployment logs alone still run.
    assert statuses["A.6.2.6"] == "effective"
    assert statuses["A.8.4"] == "effective"


def test_evidence_of_a_source_no_longer_configured_is_not_used(
    con, estate: Estate, configuration
) -> None:
    # An earlier run read every source; the latest run had none of them configured.
    estate.model("fraud", {"owner": "ann"})
    estate.version("fraud", "3", {"validation_status": "passed", "model_card": "c3"})
    estate.validation("lake/orders", AS_OF - days(1), True)
    _deploy_logs(estate)
    for source in ("mlflow", "gx", "deploy_logs"):
        estate.ingestion(source, "succeeded", AS_OF - days(2))
        estate.ingestion(source, "skipped", AS_OF - hours(1))
    assert set(_statuses(con, configuration).values()) == {"no_evidence"}


def test_a_source_that_failed_is_still_configured(con, estate: Estate, configuration) -> None:
    # Controls are evaluated on the stored evidence when a source's ingestion failed.
    estate.model("fraud", {"owner": "ann"})
    estate.validation("lake/orders", AS_OF - days(1), True)
    for source in ("mlflow", "gx"):
        estate.ingestion(source, "succeeded", AS_OF - days(2))
        estate.ingestion(source, "failed", AS_OF - hours(1))
    statuses = _statuses(con, configuration)
    assert statuses["A.3.2"] == "effective"
    assert statuses["A.7.4"] == "effective"
