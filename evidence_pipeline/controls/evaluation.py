"""Evaluate every control at one instant (`as_of`) from the warehouse, and store the result.

Rules run on the writer's connection after the helper relations are prepared and external
access is disabled. Their rows are staged, then replace the evaluation of the same `as_of`
(results, roll-ups, the evaluation's own row) in one transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from evidence_pipeline.controls.attestations import attestation_status
from evidence_pipeline.controls.configuration import REQUIRED_COLUMNS, ControlConfiguration
from evidence_pipeline.controls.context import (
    disable_external_access,
    engine_parameters,
    prepare_helpers,
)
from evidence_pipeline.controls.mappings import MappedRule
from evidence_pipeline.controls.rollup import SUBJECT_STATUSES, SubjectCounts, roll_up
from evidence_pipeline.settings import utc_now
from evidence_pipeline.sql_files import run_script, sql_loader

load_sql = sql_loader(__file__)

SUBJECT_TYPES = (
    "registered_model",
    "model_version",
    "endpoint",
    "deployment_event",
    "incident",
    "data_asset",
)


@dataclass(frozen=True)
class EvaluationSummary:
    evaluation_id: str
    framework: str
    as_of: datetime
    evaluated_at: datetime
    controls_by_status: dict[str, int]
    subjects_by_status: dict[str, int]
    rules_run: int
    rules_failed: int
    failed_rules: dict[str, str] = field(default_factory=dict)  # rule id -> error

    @property
    def results(self) -> int:
        return sum(self.subjects_by_status.values())


def format_instant(instant: datetime) -> str:
    """RFC 3339 in UTC with microseconds: `2026-06-30T23:59:59.999999Z`."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def evaluation_id_for(framework: str, as_of: datetime) -> str:
    return f"{framework}@{format_instant(as_of)}"


def configuration_rows(configuration: ControlConfiguration) -> dict[str, list[tuple[Any, ...]]]:
    """The rows the configuration is stored as, per table, in its columns' order without
    `loaded_at` (the last column)."""
    framework = configuration.framework
    return {
        "control_catalog": [
            (
                framework,
                control.control_id,
                control.title,
                control.objective_id,
                control.objective_title,
                control.description,
                control.automation,
                control.applicable,
                control.justification,
                configuration.thresholds[control.control_id],
                control.check_name,
                control.position,
                control.source,
            )
            for control in configuration.controls()
        ],
        "control_rule_mappings": [
            (
                framework,
                mapped.control_id,
                mapped.rule_id,
                mapped.rule_hash,
                mapped.explanation,
                json.dumps(mapped.params, sort_keys=True),
                mapped.source,
                str(mapped.rule.path),
                mapped.rule.sql,
            )
            for mapped in configuration.all_rules()
        ],
        "control_attestations": [
            (
                framework,
                attestation.control_id,
                attestation.statement,
                attestation.evidence_ref,
                attestation.attested_by,
                attestation.attested_at,
                attestation.valid_until,
                attestation.source,
            )
            for attestation in configuration.attestations
        ],
    }


def configuration_is_stored(
    con: duckdb.DuckDBPyConnection, configuration: ControlConfiguration
) -> bool:
    """Whether the warehouse already holds exactly this configuration for its framework."""
    for table, rows in configuration_rows(configuration).items():
        stored = con.execute(
            load_sql(f"stored_{table.removeprefix('control_')}.sql"),
            {"framework": configuration.framework},
        ).fetchall()
        if Counter(stored) != Counter(rows):
            return False
    return True


def store_configuration(
    con: duckdb.DuckDBPyConnection, configuration: ControlConfiguration, loaded_at: datetime
) -> None:
    """Replace the stored catalog, mappings and attestations; call inside a transaction."""
    run_script(con, load_sql("replace_configuration.sql"), {"framework": configuration.framework})
    for table, rows in configuration_rows(configuration).items():
        if rows:
            con.executemany(
                load_sql(f"insert_{table.removeprefix('control_')}.sql"),
                [[*row, loaded_at] for row in rows],
            )


def store_configuration_if_changed(
    con: duckdb.DuckDBPyConnection, configuration: ControlConfiguration, loaded_at: datetime
) -> bool:
    """`store_configuration` unless the warehouse holds this configuration already (then
    nothing is written, and a writer that wrote nothing publishes nothing); whether it wrote.
    Call inside a transaction."""
    if configuration_is_stored(con, configuration):
        return False
    store_configuration(con, configuration, loaded_at)
    return True


def rule_rows(
    con: duckdb.DuckDBPyConnection, mapped: MappedRule, engine: dict[str, Any]
) -> pa.Table:
    """Run one rule; its rows with the required columns (and `relies_on_observed_at`)."""
    used = con.extract_statements(mapped.rule.sql)[0].named_parameters
    params = {**{k: v for k, v in engine.items() if k in used}, **mapped.params}
    table = con.execute(mapped.rule.sql, params).to_arrow_table()
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise duckdb.InvalidInputException(f"the query returned no column {', '.join(missing)}")
    columns = [table[c] for c in REQUIRED_COLUMNS]
    if "relies_on_observed_at" in table.column_names:
        columns.append(table["relies_on_observed_at"])
    else:
        columns.append(pa.nulls(table.num_rows, pa.timestamp("us", tz="UTC")))
    return pa.Table.from_arrays(columns, names=[*REQUIRED_COLUMNS, "relies_on_observed_at"])


def describe_failure(exc: duckdb.Error) -> str:
    message = str(exc).strip().splitlines()[0]
    if isinstance(exc, duckdb.PermissionException):
        return f"the rule tried to reach outside the warehouse, which rules may not: {message}"
    return f"the rule could not be evaluated: {message}"


def stage_rules(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    as_of: datetime,
    rules: Iterable[MappedRule] | None = None,
) -> dict[str, str]:
    """Run the mapped rules (all of the configuration's by default) into
    `staged_control_results`; return the rules that failed."""
    engine = engine_parameters(as_of, configuration.production_environments)
    con.execute(load_sql("create_staged_control_results.sql"))
    stage_rows = load_sql("stage_rule_rows.sql")
    stage_error = load_sql("stage_rule_error.sql")
    cache: dict[tuple[str, str], pa.Table | str] = {}
    failed: dict[str, str] = {}
    for mapped in configuration.all_rules() if rules is None else rules:
        key = (mapped.rule_id, mapped.rule_hash)
        if key not in cache:
            try:
                cache[key] = rule_rows(con, mapped, engine)
            except duckdb.Error as exc:
                cache[key] = describe_failure(exc)
                failed[mapped.rule_id] = cache[key]
        outcome = cache[key]
        identity = {
            "control_id": mapped.control_id,
            "rule_id": mapped.rule_id,
            "rule_hash": mapped.rule_hash,
        }
        if isinstance(outcome, str):
            con.execute(stage_error, {**identity, "reason": outcome})
            continue
        con.register("rule_rows", outcome)
        try:
            con.execute(
                stage_rows,
                {
                    **identity,
                    "as_of": as_of,
                    "statuses": list(SUBJECT_STATUSES),
                    "subject_types": list(SUBJECT_TYPES),
                },
            )
        finally:
            con.unregister("rule_rows")
    return failed


def roll_up_controls(
    configuration: ControlConfiguration, counts: dict[str, SubjectCounts], as_of: datetime
) -> list[dict[str, Any]]:
    """Each catalog control's `control_effectiveness` fields from its subject counts."""
    rows = []
    for control in configuration.controls():
        rules = configuration.rules_of(control.control_id)
        control_counts = counts.get(control.control_id, SubjectCounts())
        attestation = attestation_status(configuration.attestations, control.control_id, as_of)
        threshold = configuration.thresholds[control.control_id]
        rows.append(
            {
                "control_id": control.control_id,
                "subjects_evaluated": control_counts.evaluated,
                "subjects_passing": control_counts.passing,
                "subjects_failing": control_counts.failing,
                "subjects_stale": control_counts.stale,
                "subjects_not_applicable": control_counts.not_applicable,
                "subjects_error": control_counts.error,
                "subjects_backdated": control_counts.backdated,
                "effectiveness": control_counts.effectiveness if control.applicable else None,
                "status": roll_up(
                    control_counts,
                    applicable=control.applicable,
                    has_rules=bool(rules),
                    threshold=threshold,
                    attested=attestation == "valid",
                ),
                "threshold": threshold,
                "rules": sorted({r.rule_id for r in rules}),
                "attestation_status": attestation,
            }
        )
    return rows


def subjects_by_status(counts: dict[str, SubjectCounts]) -> dict[str, int]:
    fields = ("passing", "failing", "stale", "not_applicable", "error")
    return {
        status: sum(getattr(c, name) for c in counts.values())
        for status, name in zip(SUBJECT_STATUSES, fields, strict=True)
    }


def evaluate(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    as_of: datetime,
    *,
    evaluated_at: datetime | None = None,
    run_id: str | None = None,
    trigger: str = "run",
) -> EvaluationSummary:
    """Evaluate every control at `as_of` and replace that evaluation in the warehouse.

    After this, the connection has external access disabled (it cannot be re-enabled).
    """
    as_of = as_of.astimezone(UTC)
    evaluated_at = evaluated_at or utc_now()
    framework = configuration.framework
    ids = {
        "evaluation_id": evaluation_id_for(framework, as_of),
        "as_of": as_of,
        "framework": framework,
    }

    prepare_helpers(con, as_of, configuration.production_environments)
    disable_external_access(con)
    failed = stage_rules(con, configuration, as_of)
    counts = {
        row[0]: SubjectCounts(*row[1:])
        for row in con.execute(load_sql("count_staged_results.sql")).fetchall()
    }
    roll_ups = roll_up_controls(configuration, counts, as_of)
    by_status = subjects_by_status(counts)
    rules_run = len({(r.rule_id, r.rule_hash) for r in configuration.all_rules()})

    con.execute("BEGIN TRANSACTION")
    try:
        store_configuration_if_changed(con, configuration, evaluated_at)
        run_script(con, load_sql("delete_evaluation.sql"), ids)
        con.execute(load_sql("insert_results.sql"), {**ids, "evaluated_at": evaluated_at})
        insert_effectiveness = load_sql("insert_effectiveness.sql")
        for row in roll_ups:
            con.execute(insert_effectiveness, {**ids, "evaluated_at": evaluated_at, **row})
        con.execute(
            load_sql("insert_evaluation.sql"),
            {
                **ids,
                "evaluated_at": evaluated_at,
                "run_id": run_id,
                "trigger": trigger,
                "rules_run": rules_run,
                "rules_failed": len(failed),
                "results": sum(by_status.values()),
            },
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return EvaluationSummary(
        evaluation_id=ids["evaluation_id"],
        framework=framework,
        as_of=as_of,
        evaluated_at=evaluated_at,
        controls_by_status=dict(Counter(row["status"] for row in roll_ups)),
        subjects_by_status=by_status,
        rules_run=rules_run,
        rules_failed=len(failed),
        failed_rules=failed,
    )


def delete_expired_results(
    con: duckdb.DuckDBPyConnection, retention_days: int, now: datetime | None = None
) -> int:
    """Delete the per-subject results of evaluations run before the retention period;
    roll-ups are kept.

    The age is that of the evaluation (`evaluated_at`), not of the instant it judged
    (`as_of`): an audit of a date years back, or a backfill of old days, keeps its rows for
    the whole period like any other evaluation."""
    cutoff = (now or utc_now()) - timedelta(days=retention_days)
    before = con.execute("SELECT count(*) FROM control_results").fetchone()[0]
    con.execute(load_sql("delete_expired_results.sql"), {"cutoff": cutoff})
    return before - con.execute("SELECT count(*) FROM control_results").fetchone()[0]
