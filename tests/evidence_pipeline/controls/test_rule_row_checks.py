"""Rows a rule returns are checked before they are stored: a subject returned twice, or a
subject type or status outside the vocabulary, is stored as an `error` that says why."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from evidence_pipeline.controls.context import define_rule_row_checks
from evidence_pipeline.controls.evaluation import load_sql

RULE_ROWS = """
CREATE TABLE rule_rows AS SELECT * FROM (VALUES
    ('model', 'kept', 'effective', 'fine', NULL::TIMESTAMPTZ),
    ('model', 'twice', 'effective', 'first', NULL),
    ('model', 'twice', 'ineffective', 'second', NULL),
    ('model', 'odd-status', 'bogus', 'x', NULL),
    ('model', 'no-status', NULL, 'x', NULL),
    ('thing', 'odd-type', 'effective', 'x', TIMESTAMPTZ '2030-01-01 00:00:00+00'),
    (NULL, 'no-type', 'effective', 'x', NULL)
) AS t(subject_type, subject_id, status, reason, relies_on_observed_at)
"""


def _staging_connection() -> duckdb.DuckDBPyConnection:
    """A database with the rule-row checks and the staging table `stage_rule_rows.sql` fills."""
    con = duckdb.connect()
    define_rule_row_checks(con)
    con.execute(
        "CREATE TABLE staged_control_results (control_id VARCHAR, rule_id VARCHAR, "
        "rule_hash VARCHAR, subject_type VARCHAR, subject_id VARCHAR, status VARCHAR, "
        "reason VARCHAR, evidence_ref VARCHAR, backdated BOOLEAN, "
        "relies_on_observed_at TIMESTAMPTZ)"
    )
    return con


def _stage(con: duckdb.DuckDBPyConnection, statuses: list[str]) -> None:
    """Stage the rows of the table `rule_rows` as one rule's results for one control."""
    con.execute(
        load_sql("stage_rule_rows.sql"),
        {
            "control_id": "A.6.2.5",
            "rule_id": "a_rule",
            "rule_hash": "hash",
            "as_of": datetime(2026, 1, 1, tzinfo=UTC),
            "statuses": statuses,
            "subject_types": ["model"],
        },
    )


def _staged() -> dict[str, tuple[str, str, bool]]:
    con = _staging_connection()
    con.execute(RULE_ROWS)
    con.execute("ALTER TABLE rule_rows ADD COLUMN evidence_ref VARCHAR DEFAULT 'ref'")
    _stage(con, statuses=["effective", "ineffective"])
    rows = con.execute(
        "SELECT subject_id, status, reason, backdated FROM staged_control_results"
    ).fetchall()
    return {subject: (status, reason, backdated) for subject, status, reason, backdated in rows}


def test_rule_rows_outside_the_contract_become_errors_that_say_why() -> None:
    staged = _staged()
    assert staged == {
        "kept": ("effective", "fine", False),
        "twice": ("error", "the rule returned this subject 2 times", False),
        "odd-status": (
            "error",
            "the rule returned status 'bogus', which is not one of effective, ineffective",
            False,
        ),
        "no-status": (
            "error",
            "the rule returned status NULL, which is not one of effective, ineffective",
            False,
        ),
        "odd-type": (
            "error",
            "the rule returned subject type 'thing', which is not one of model",
            True,
        ),
        "no-type": (
            "error",
            "the rule returned subject type NULL, which is not one of model",
            False,
        ),
    }


def test_a_subject_returned_several_times_keeps_the_same_row_every_time() -> None:
    """The error row of a repeated subject is chosen by a total order (here: the least
    evidence_ref), not by whichever copy the engine happens to see first."""
    con = _staging_connection()
    con.execute(
        "CREATE TABLE rule_rows AS SELECT 'model' AS subject_type, 'many' AS subject_id, "
        "'effective' AS status, 'same' AS reason, 'ref-' || lpad(CAST(99 - i AS VARCHAR), 2, '0') "
        "AS evidence_ref, NULL::TIMESTAMPTZ AS relies_on_observed_at FROM range(100) t(i)"
    )
    _stage(con, statuses=["effective"])
    rows = con.execute("SELECT status, evidence_ref FROM staged_control_results").fetchall()
    assert rows == [("error", "ref-00")]
