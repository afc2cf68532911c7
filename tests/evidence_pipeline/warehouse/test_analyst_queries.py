"""The example queries of docs/analysts.md, run as written against a real warehouse."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from evidence_pipeline.controls.configuration import load_configuration
from evidence_pipeline.controls.evaluation import store_configuration
from evidence_pipeline.settings import Settings
from evidence_pipeline.warehouse.store import Warehouse
from tests.evidence_pipeline.warehouse.evaluations import insert_evaluation

DOC = Path(__file__).resolve().parents[3] / "docs" / "analysts.md"
NOW = datetime.now(UTC).replace(microsecond=0)
RULE = "production_deploy_independently_approved"


def _queries() -> list[str]:
    return re.findall(r"^```sql\n(.*?)^```", DOC.read_text("utf-8"), flags=re.S | re.M)


@pytest.fixture(scope="module")
def analyst(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """A warehouse with the catalog and evaluations over 40 days, opened as an analyst would."""
    warehouse = Warehouse(tmp_path_factory.mktemp("analyst") / "evidence.duckdb")
    with warehouse.writer() as con:
        con.execute("BEGIN TRANSACTION")
        store_configuration(con, load_configuration(Settings()), NOW)
        con.execute("COMMIT")
    deploys_pass = [(RULE, "e1", "pass"), (RULE, "e2", "pass")]
    insert_evaluation(
        warehouse,
        NOW - timedelta(days=40),
        {
            "A.6.2.5": ("effective", deploys_pass),
            "A.3.2": ("effective", [("model_has_owner", "churn", "pass")]),
            "A.9.4": ("ineffective", [("model_has_intended_use", "churn", "fail")]),
            "A.7.4": (
                "partially_effective",
                [("data_asset_latest_validation_passed", f"pg/t{i}", "pass") for i in range(9)]
                + [("data_asset_latest_validation_passed", "pg/t9", "fail")],
            ),
        },
    )
    three_days_ago, two_days_ago = NOW - timedelta(days=3), NOW - timedelta(days=2)
    insert_evaluation(
        warehouse,
        three_days_ago.replace(hour=1, minute=0),
        {"A.6.2.5": ("ineffective", [(RULE, "e1", "fail")])},
    )
    # The day's last evaluation is the one the trend shows.
    for at in (three_days_ago.replace(hour=20, minute=0), two_days_ago.replace(hour=12, minute=0)):
        insert_evaluation(warehouse, at, {"A.6.2.5": ("effective", deploys_pass)})
    insert_evaluation(
        warehouse,
        NOW,
        {
            "A.6.2.5": (
                "ineffective",
                [(RULE, "e1", "pass"), (RULE, "e4", "fail"), (RULE, "e3", "fail")],
            ),
            "A.3.2": ("effective", [("model_has_owner", "churn", "pass")]),
            "A.9.4": ("partially_effective", [("model_has_intended_use", "churn", "pass")]),
            "A.7.4": ("no_evidence", []),
        },
    )
    con = duckdb.connect(str(warehouse.published_path), read_only=True)
    yield con
    con.close()


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_the_page_has_the_four_example_queries() -> None:
    assert len(_queries()) == 4


def test_the_current_status_of_every_control(analyst: duckdb.DuckDBPyConnection) -> None:
    rows = _run(analyst, _queries()[0])
    assert len(rows) == 38
    assert rows[0]["control_id"] == "A.2.2"
    assert rows[-1]["control_id"].startswith("A.10.")
    ids = [r["control_id"] for r in rows]
    assert ids.index("A.6.2.5") < ids.index("A.6.2.10" if "A.6.2.10" in ids else "A.7.2")
    by_id = {r["control_id"]: r for r in rows}
    assert by_id["A.6.2.5"]["status"] == "ineffective"
    assert by_id["A.6.2.5"]["effectiveness"] == pytest.approx(0.333)
    assert by_id["A.6.2.5"]["failing_subjects"] == 2
    assert by_id["A.2.2"]["status"] == "not evaluated"


def test_the_controls_that_got_worse_this_month(analyst: duckdb.DuckDBPyConnection) -> None:
    rows = _run(analyst, _queries()[1])
    worse = {r["control_id"]: r for r in rows}
    assert set(worse) == {"A.6.2.5", "A.7.4"}
    assert worse["A.6.2.5"]["status_before"] == "effective"
    assert worse["A.6.2.5"]["status_now"] == "ineffective"
    assert worse["A.7.4"]["status_now"] == "no_evidence"
    assert worse["A.7.4"]["effectiveness_before"] == pytest.approx(0.9)


def test_the_failing_subjects_of_one_control(analyst: duckdb.DuckDBPyConnection) -> None:
    rows = _run(analyst, _queries()[2])
    assert [(r["subject_id"], r["status"], r["rule_id"]) for r in rows] == [
        ("e3", "fail", RULE),
        ("e4", "fail", RULE),
    ]
    assert all(r["reason"] and r["evidence_ref"] for r in rows)


def test_the_effectiveness_trend_of_one_control(analyst: duckdb.DuckDBPyConnection) -> None:
    rows = _run(analyst, _queries()[3])
    days = [r["day"] for r in rows]
    assert days == sorted(set(days)) and len(days) == 4
    assert [r["effectiveness"] for r in rows] == [1.0, 1.0, 1.0, pytest.approx(0.333)]
    assert rows[-1]["status"] == "ineffective" and rows[-1]["failing_subjects"] == 2
