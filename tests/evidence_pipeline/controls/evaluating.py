"""Evaluate rules over a test estate and read back what an auditor would see."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import duckdb

from evidence_pipeline.controls.configuration import ControlConfiguration
from evidence_pipeline.controls.evaluation import evaluate


def only_controls(configuration: ControlConfiguration, *control_ids: str) -> ControlConfiguration:
    """The configuration with the rules of the named controls only (the others become manual)."""
    return dataclasses.replace(
        configuration, rules={c: configuration.rules_of(c) for c in control_ids}
    )


def evaluate_rule(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    control_id: str,
    rule_id: str,
    as_of: datetime,
) -> dict[str, tuple[str, str]]:
    """Evaluate one control's rule at `as_of`; its results as {subject_id: (status, reason)}."""
    rules = [r for r in configuration.rules_of(control_id) if r.rule_id == rule_id]
    assert rules, f"{rule_id} is not mapped to {control_id}"
    evaluate(con, dataclasses.replace(configuration, rules={control_id: rules}), as_of)
    rows = con.execute(
        "SELECT subject_id, status, reason FROM control_results "
        "WHERE as_of = ? AND control_id = ? AND rule_id = ?",
        [as_of, control_id, rule_id],
    ).fetchall()
    return {subject: (status, reason) for subject, status, reason in rows}


def statuses(results: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {subject: status for subject, (status, _) in results.items()}
