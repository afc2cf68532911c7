"""Reading evaluations back from any connection: the current roll-up of every control and the
failing subjects of one, as the asset checks and the status command use them."""

from __future__ import annotations

from evidence_pipeline.controls.evaluation import evaluate
from evidence_pipeline.controls.queries import (
    control_statuses,
    current_effectiveness,
    failing_subjects,
)
from tests.evidence_pipeline.controls.estate import Estate, at, days

AS_OF = at("2026-06-30T12:00:00Z")


def test_current_effectiveness_and_failing_subjects(con, estate: Estate, configuration) -> None:
    estate.model("fraud", {"owner": "ann"})
    estate.model("churn", {"owner": ""})
    estate.model("pricing", {})
    evaluate(con, configuration, AS_OF - days(1))
    estate.model("ranker", {"owner": "bea"})
    evaluate(con, configuration, AS_OF)

    current = {r["control_id"]: r for r in current_effectiveness(con)}
    assert len(current) == 38
    owner = current["A.3.2"]
    assert (owner["as_of"], owner["status"], owner["subjects_failing"]) == (
        AS_OF,
        "ineffective",
        2,
    )
    assert owner["effectiveness"] == 0.5 and owner["check_name"]

    failing = failing_subjects(con, "A.3.2")
    assert [(r["subject_id"], r["status"]) for r in failing] == [
        ("churn", "fail"),
        ("pricing", "fail"),
    ]
    assert failing_subjects(con, "A.3.2", limit=1)[0]["subject_id"] == "churn"
    assert failing_subjects(con, "A.2.2") == []

    earlier = {r["control_id"]: r for r in control_statuses(con, AS_OF - days(1))}
    assert earlier["A.3.2"]["subjects_evaluated"] == 3
    assert all(r["status"] is None for r in control_statuses(con, AS_OF - days(30)))
