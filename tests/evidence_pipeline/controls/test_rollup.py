"""Roll-ups per control: effectiveness and status from its rows, thresholds, manual and attested
controls, and the Statement of Applicability over the whole catalog."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from evidence_pipeline.controls.attestations import load_attestations
from evidence_pipeline.controls.evaluation import evaluate
from evidence_pipeline.controls.rollup import SubjectCounts, roll_up
from tests.evidence_pipeline.controls.estate import Estate, at, days
from tests.evidence_pipeline.controls.evaluating import only_controls

AS_OF = at("2026-06-30T12:00:00Z")


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (SubjectCounts(passing=10), "effective"),
        (SubjectCounts(passing=9, failing=1), "partially_effective"),
        (SubjectCounts(passing=8, stale=1, failing=1), "ineffective"),
        (SubjectCounts(passing=9, failing=1, error=1), "error"),
        (SubjectCounts(), "no_evidence"),
        (SubjectCounts(not_applicable=3), "not_applicable"),
        (SubjectCounts(passing=2, not_applicable=5), "effective"),
        (SubjectCounts(stale=1), "ineffective"),
    ],
)
def test_roll_up_follows_the_contract_order(counts: SubjectCounts, expected: str) -> None:
    assert roll_up(counts, applicable=True, has_rules=True, threshold=0.9, attested=False) == (
        expected
    )


def test_manual_attested_and_not_applicable_controls() -> None:
    none = SubjectCounts()
    assert roll_up(none, applicable=True, has_rules=False, threshold=0.9, attested=False) == (
        "manual"
    )
    assert roll_up(none, applicable=True, has_rules=False, threshold=0.9, attested=True) == (
        "attested"
    )
    failing = SubjectCounts(failing=3)
    assert roll_up(failing, applicable=False, has_rules=True, threshold=0.9, attested=False) == (
        "not_applicable"
    )


def test_effectiveness_counts_pass_fail_and_stale_over_all_the_rules_of_a_control(
    con, estate: Estate, configuration
) -> None:
    # A.6.2.4 (live versions passed validation): 9 pass, 1 fail = 0.9 -> partially effective at
    # the default threshold; A.3.2 (owners): 3 of 4 -> ineffective.
    for i in range(10):
        estate.version(f"m{i}", "1", {"validation_status": "passed" if i else "failed"})
        estate.deploy(f"m{i}", "1", AS_OF - days(1))
    for name, owner in (("a", "x"), ("b", "x"), ("c", "x"), ("d", "")):
        estate.model(name, {"owner": owner})
    evaluate(con, only_controls(configuration, "A.6.2.4", "A.3.2"), AS_OF)
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT control_id, subjects_evaluated, subjects_passing, subjects_failing, "
            "effectiveness, threshold, status FROM control_effectiveness "
            "WHERE control_id IN ('A.6.2.4', 'A.3.2')"
        ).fetchall()
    }
    assert rows["A.6.2.4"] == (10, 9, 1, pytest.approx(0.9), 0.9, "partially_effective")
    assert rows["A.3.2"] == (4, 3, 1, pytest.approx(0.75), 0.9, "ineffective")


def test_a_mapping_threshold_changes_the_status(con, estate: Estate, configuration) -> None:
    for name, owner in (("a", "x"), ("b", "x"), ("c", "x"), ("d", "")):
        estate.model(name, {"owner": owner})
    lowered = dataclasses.replace(
        only_controls(configuration, "A.3.2"),
        thresholds={**configuration.thresholds, "A.3.2": 0.7},
    )
    evaluate(con, lowered, AS_OF)
    status = con.execute(
        "SELECT status, threshold FROM control_status_current WHERE control_id = 'A.3.2'"
    ).fetchone()
    assert status == ("partially_effective", 0.7)


def _attestations_file(tmp_path: Path, valid_until: str) -> Path:
    path = tmp_path / "attestations.yaml"
    path.write_text(
        f"""attestations:
  - control: A.2.2
    statement: The AI policy was approved by the board and published.
    evidence_ref: https://intranet.example.com/policies/ai-policy-v3.pdf
    attested_by: jane.doe@example.com
    attested_at: 2026-01-15T10:00:00Z
    valid_until: {valid_until}
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("valid_until", "status", "attestation_status"),
    [
        ("2027-01-15T00:00:00Z", "attested", "valid"),
        ("2026-06-01T00:00:00+02:00", "manual", "expired"),
        (None, "manual", "none"),
    ],
)
def test_manual_control_is_attested_while_an_attestation_is_valid(
    con, configuration, tmp_path: Path, valid_until, status, attestation_status
) -> None:
    attestations = (
        load_attestations(_attestations_file(tmp_path, valid_until), configuration.catalog)
        if valid_until
        else []
    )
    evaluate(con, dataclasses.replace(configuration, attestations=attestations), AS_OF)
    row = con.execute(
        "SELECT status, attestation_status FROM statement_of_applicability "
        "WHERE control_id = 'A.2.2'"
    ).fetchone()
    assert row == (status, attestation_status)


def test_statement_of_applicability_lists_every_annex_a_control(
    con, estate: Estate, configuration
) -> None:
    estate.model("fraud", {"owner": "ann"})
    evaluate(con, configuration, AS_OF)
    rows = con.execute(
        "SELECT control_id, objective_id, applicable, justification, automation, status, rules, "
        "attestation_status, last_evaluated_at FROM statement_of_applicability"
    ).fetchall()
    assert len(rows) == 38
    assert len({r[1] for r in rows}) == 10
    by_id = {r[0]: r for r in rows}
    assert by_id["A.3.2"][5] == "effective"
    assert "model_has_owner" in by_id["A.3.2"][6]
    assert by_id["A.2.2"][5] == "manual" and by_id["A.2.2"][6] == []
    assert {by_id[c][1] for c in ("A.6.1.2", "A.6.1.3")} == {"A.6.1"}
    assert by_id["A.6.2.5"][1] == "A.6.2"
    assert all(r[3] for r in rows), "every control has a justification"
    assert all(r[5] is not None and r[8] is not None for r in rows)
    catalog = con.execute("SELECT count(*) FROM control_catalog").fetchone()[0]
    assert catalog == 38


def test_a_control_marked_not_applicable_is_not_applicable_whatever_its_rows(
    con, estate: Estate, configuration
) -> None:
    estate.model("churn", {"owner": ""})
    catalog = configuration.catalog
    excluded = dataclasses.replace(catalog.controls["A.3.2"], applicable=False)
    configuration = dataclasses.replace(
        only_controls(configuration, "A.3.2"),
        catalog=dataclasses.replace(catalog, controls={**catalog.controls, "A.3.2": excluded}),
    )
    evaluate(con, configuration, AS_OF)
    row = con.execute(
        "SELECT s.status, s.effectiveness, s.applicable, c.subjects_failing "
        "FROM statement_of_applicability s JOIN control_status_current c USING (control_id) "
        "WHERE control_id = 'A.3.2'"
    ).fetchone()
    assert row == ("not_applicable", None, False, 1)
