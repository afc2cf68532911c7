"""Asset checks per control: status, severity and the failing subjects a person reads in the UI."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from evidence_pipeline.controls.catalog import load_catalog
from evidence_pipeline.controls.checks import (
    CATALOG_PATH,
    CHECKED_CONTROLS,
    CONTROL_RESULTS,
    control_checks,
    default_check_name,
)
from evidence_pipeline.resources import MlflowResource, WarehouseResource
from evidence_pipeline.warehouse.store import Warehouse
from tests.evidence_pipeline.warehouse.evaluations import insert_evaluation

AS_OF = datetime(2026, 11, 1, 12, tzinfo=UTC)
EARLIER = datetime(2026, 10, 1, 12, tzinfo=UTC)


def _run_checks(
    warehouse_path: Path, evaluation_id: str | None, mlflow_uri: str | None = None
) -> dict[str, dg.AssetCheckEvaluation]:
    @dg.asset(key=CONTROL_RESULTS)
    def control_results() -> dg.MaterializeResult:
        return dg.MaterializeResult(
            metadata={"evaluation_id": evaluation_id} if evaluation_id else {}
        )

    result = dg.materialize(
        [control_results, *control_checks],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse_path)),
            "mlflow": MlflowResource(tracking_uri=mlflow_uri),
        },
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _name(control_id: str) -> str:
    return next(c.check_name for c in CHECKED_CONTROLS if c.control_id == control_id)


def test_every_automated_or_partial_control_of_the_catalog_has_a_check() -> None:
    catalog = load_catalog(CATALOG_PATH)
    expected = {
        c.control_id for c in catalog.controls.values() if c.automation in ("automated", "partial")
    }
    specs = {spec.name: spec for spec in control_checks[0].check_specs}
    assert len(specs) == len(expected) >= 11
    assert {spec.metadata["control_id"] for spec in specs.values()} == expected
    for spec in specs.values():
        control = catalog.controls[spec.metadata["control_id"]]
        assert spec.asset_key == CONTROL_RESULTS
        assert not spec.blocking
        assert spec.name.startswith("a_" + control.control_id[2:].replace(".", "_") + "_")
        assert control.description.split()[0] in spec.description
        if control.check_name:
            assert spec.name == control.check_name
    assert "approved by someone other" in specs["a_6_2_5_deployments_are_approved"].description


def test_a_control_without_a_check_name_gets_one_from_its_id_and_title() -> None:
    assert (
        default_check_name("A.6.2.8", "AI system recording of event logs")
        == "a_6_2_8_ai_system_recording_of_event_logs"
    )
    assert default_check_name("A.10.3", "Suppliers") == "a_10_3_suppliers"


def test_checks_pass_warn_or_fail_by_the_status_of_their_control(warehouse_path: Path) -> None:
    warehouse = Warehouse(warehouse_path)
    failing_deploys = [
        ("production_deploy_independently_approved", f"evt-{i:03}", "fail") for i in range(25)
    ]
    evaluation_id = insert_evaluation(
        warehouse,
        AS_OF,
        {
            "A.3.2": (
                "effective",
                [("model_has_owner", "churn", "pass"), ("model_has_owner", "fraud", "pass")],
            ),
            "A.9.4": (
                "partially_effective",
                [("model_has_intended_use", f"m{i}", "pass") for i in range(9)]
                + [("model_has_intended_use", "m9", "fail")],
            ),
            "A.6.2.5": (
                "ineffective",
                [*failing_deploys, ("production_deploy_independently_approved", "evt-ok", "pass")],
            ),
            "A.6.2.6": ("ineffective", [("live_endpoint_monitored", "production/churn", "stale")]),
            "A.8.4": (
                "not_applicable",
                [("incident_communicated_within_72h", "inc-1", "not_applicable")],
            ),
            "A.5.3": ("error", [("high_risk_model_has_current_impact_assessment", "*", "error")]),
            "A.7.4": ("no_evidence", []),
        },
    )
    checks = _run_checks(warehouse_path, evaluation_id)

    def outcome(control_id: str) -> tuple[bool, dg.AssetCheckSeverity]:
        evaluation = checks[_name(control_id)]
        return evaluation.passed, evaluation.severity

    assert outcome("A.3.2")[0] is True
    assert outcome("A.8.4")[0] is True
    assert outcome("A.9.4") == (False, dg.AssetCheckSeverity.WARN)
    assert outcome("A.7.4") == (False, dg.AssetCheckSeverity.WARN)
    assert outcome("A.6.2.5") == (False, dg.AssetCheckSeverity.ERROR)
    assert outcome("A.6.2.6") == (False, dg.AssetCheckSeverity.ERROR)
    assert outcome("A.5.3") == (False, dg.AssetCheckSeverity.ERROR)
    # A control the evaluation does not mention has no evidence.
    assert outcome("A.10.3") == (False, dg.AssetCheckSeverity.WARN)

    partial = checks[_name("A.9.4")].metadata
    assert partial["control_id"].value == "A.9.4"
    assert partial["status"].value == "partially_effective"
    assert partial["effectiveness"].value == pytest.approx(0.9)
    assert partial["subjects_passing"].value == 9
    assert partial["subjects_failing"].value == 1
    assert partial["evaluation_id"].value == evaluation_id
    assert (
        "| m9 | registered_model | model_has_intended_use | fail | m9: fail \\| see evidence |"
        in (partial["failing_subjects"].value)
    )

    stale = checks[_name("A.6.2.6")].metadata
    assert stale["subjects_stale"].value == 1
    assert stale["effectiveness"].value == 0.0
    assert "| production/churn |" in stale["failing_subjects"].value
    assert "| stale |" in stale["failing_subjects"].value

    deploys = checks[_name("A.6.2.5")]
    table = deploys.metadata["failing_subjects"].value
    assert deploys.metadata["failing_subjects_total"].value == 25
    assert sum(line.startswith("| evt-0") for line in table.splitlines()) == 20
    assert "evt-024" not in table
    assert "Showing 20 of 25 failing subjects" in table
    assert "evidence-pipeline status --control A.6.2.5" in table
    assert deploys.description.startswith("A.6.2.5: ineffective (effectiveness 3.8%); 25 failing")

    effective = checks[_name("A.3.2")].metadata
    assert effective["failing_subjects"].value == "No failing subjects."
    assert effective["rules"].value == "model_has_owner"
    assert checks[_name("A.7.4")].metadata["effectiveness"].value is None


def test_checks_report_the_evaluation_the_asset_materialised(warehouse_path: Path) -> None:
    warehouse = Warehouse(warehouse_path)
    older = insert_evaluation(
        warehouse, EARLIER, {"A.3.2": ("ineffective", [("model_has_owner", "churn", "fail")])}
    )
    newer = insert_evaluation(
        warehouse, AS_OF, {"A.3.2": ("effective", [("model_has_owner", "churn", "pass")])}
    )

    assert checks_for(warehouse_path, older).passed is False
    assert checks_for(warehouse_path, newer).passed is True
    # Without an evaluation id recorded, the latest evaluation is reported.
    assert checks_for(warehouse_path, None).metadata["evaluation_id"].value == newer


def checks_for(warehouse_path: Path, evaluation_id: str | None) -> dg.AssetCheckEvaluation:
    return _run_checks(warehouse_path, evaluation_id)[_name("A.3.2")]


def test_checks_without_any_evaluation_warn_and_do_not_fail_the_run(warehouse_path: Path) -> None:
    checks = _run_checks(warehouse_path, None)
    assert len(checks) == len(CHECKED_CONTROLS)
    assert all(not c.passed and c.severity == dg.AssetCheckSeverity.WARN for c in checks.values())


def test_failing_registry_subjects_link_to_their_mlflow_page(warehouse_path: Path) -> None:
    warehouse = Warehouse(warehouse_path)
    evaluation_id = insert_evaluation(
        warehouse,
        AS_OF,
        {"A.6.2.7": ("ineffective", [("live_version_has_model_card", "fraud det/3", "fail")])},
        subject_type="model_version",
    )
    insert_evaluation(
        warehouse, EARLIER, {"A.3.2": ("ineffective", [("model_has_owner", "churn", "fail")])}
    )
    server = "http://ml:s3cret@mlflow.internal:5000"
    checks = _run_checks(warehouse_path, evaluation_id, mlflow_uri=server)
    table = checks[_name("A.6.2.7")].metadata["failing_subjects"].value
    assert "| [fraud det/3](http://mlflow.internal:5000/#/models/fraud%20det/versions/3) |" in (
        table
    )
    assert "s3cret" not in table and "@" not in table

    local = _run_checks(warehouse_path, evaluation_id, mlflow_uri="sqlite:///mlflow.db")
    assert "| fraud det/3 |" in local[_name("A.6.2.7")].metadata["failing_subjects"].value
