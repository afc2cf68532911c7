"""Evaluate every control at many instants at once (the history backfill), with the results of
evaluating each instant on its own (`evaluation.evaluate`), in one transaction.

The helper relations are built once for all the instants (`sql/backfill/helpers/`), each rule
runs once for all of them (`batching.batched_rule_sql`), and the rows of every day are staged,
then replace those days' evaluations in a few set-based statements. A rule that cannot be
rewritten, or whose rewritten query fails, is evaluated day by day with the per-day helpers,
exactly as `evaluate` does, so its error rows are the same too.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from evidence_pipeline.controls.batching import batched_query
from evidence_pipeline.controls.configuration import REQUIRED_COLUMNS, ControlConfiguration
from evidence_pipeline.controls.context import (
    HELPERS_DIR,
    define_rule_row_checks,
    disable_external_access,
    engine_parameters,
    prepare_helpers,
)
from evidence_pipeline.controls.evaluation import (
    SUBJECT_TYPES,
    EvaluationSummary,
    evaluation_id_for,
    roll_up_controls,
    stage_rules,
    store_configuration_if_changed,
    subjects_by_status,
)
from evidence_pipeline.controls.mappings import MappedRule
from evidence_pipeline.controls.rollup import SUBJECT_STATUSES, SubjectCounts
from evidence_pipeline.settings import utc_now
from evidence_pipeline.sql_files import run_script, sql_loader

log = logging.getLogger(__name__)

load_sql = sql_loader(__file__)
BACKFILL_HELPERS_DIR = HELPERS_DIR.parent / "backfill" / "helpers"
# Per-day helpers whose rows of a day are their rows at the last instant that happened by then
# (events, validations): built once, as of the last instant, by the per-day SQL itself, and
# renamed to the table the batched rules read.
LAST_INSTANT_HELPERS = {
    "30_deployment_events_as_of.sql": ("deployment_events_as_of", "backfill_deployment_events"),
    # its rows do not depend on the instant at all; it reads deployment_events_as_of
    "35_deployed_versions_at_event.sql": (
        "deployed_versions_at_event",
        "backfill_deployed_versions_at_event",
    ),
    "50_gx_validations_as_of.sql": ("gx_validations_as_of", "backfill_gx_validations"),
}
# The per-day helper tables: dropped before the batched rules run, so that a rule naming one
# in a way the rewrite did not see fails (and is evaluated day by day) rather than reading them.
PER_DAY_HELPERS = (
    "registered_models_as_of",
    "model_versions_as_of",
    "deployment_events_as_of",
    "deployed_versions_at_event",
    "live_production_versions",
    "gx_validations_as_of",
    "mlflow_runs_as_of",
    "run_dataset_inputs_as_of",
)

# While a backfill writes its millions of result rows (measured on the full-scale estate,
# 2,000,000 rows of control_results): results are a set, so DuckDB need not keep their order and
# can insert on every thread; and their strings repeat from day to day (the same subjects,
# reasons and evidence), which dictionary compression stores as well as the default choice
# (207 MiB against 196 MiB) in half the time, since DuckDB then does not analyse every
# compression for every string segment.
BACKFILL_SETTINGS = {"preserve_insertion_order": "false", "force_compression": "dictionary"}


def _sql(name: str) -> str:
    return load_sql(f"backfill/{name}")


def prepare_backfill_helpers(
    con: duckdb.DuckDBPyConnection,
    as_ofs: Sequence[datetime],
    framework: str,
    production_environments: tuple[str, ...] | list[str],
) -> None:
    """The instants (`backfill_days`) and the helper tables of all of them."""
    run_script(
        con,
        _sql("create_days.sql"),
        {
            "as_ofs": list(as_ofs),
            "evaluation_ids": [evaluation_id_for(framework, a) for a in as_ofs],
        },
    )
    params = engine_parameters(max(as_ofs), production_environments)
    # the macros and `configured_sources` do not depend on the instant
    for path in sorted(HELPERS_DIR.glob("0*.sql")):
        run_script(con, path.read_text(encoding="utf-8"), params)
    for name in PER_DAY_HELPERS:
        con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")
    for file_name, (_, table) in LAST_INSTANT_HELPERS.items():  # in order: one reads another
        con.execute(f"DROP TABLE IF EXISTS temp.main.{table}")
        run_script(con, (HELPERS_DIR / file_name).read_text(encoding="utf-8"), params)
    for day_table, table in LAST_INSTANT_HELPERS.values():
        con.execute(f"ALTER TABLE temp.main.{day_table} RENAME TO {table}")
    for path in sorted(BACKFILL_HELPERS_DIR.glob("*.sql")):
        run_script(con, path.read_text(encoding="utf-8"), params)
    define_rule_row_checks(con)


def _batched_rule_rows(
    con: duckdb.DuckDBPyConnection, mapped: MappedRule, production_environments: list[str]
) -> str | None:
    """The rule's query for every day, checked to bind with the columns a rule returns;
    None when it has none or it does not bind (the rule is then evaluated day by day)."""
    sql = batched_query(mapped.rule_id, mapped.rule.sql)
    if sql is None:
        return None
    try:
        statements = con.extract_statements(sql)
        if len(statements) != 1:
            return None
        used = statements[0].named_parameters
        columns = con.execute(f"DESCRIBE {sql}", _params(mapped, used, production_environments))
        names = [row[0] for row in columns.fetchall()]
    except duckdb.Error:
        return None
    if any(c not in names for c in REQUIRED_COLUMNS):
        return None
    if "relies_on_observed_at" not in names:
        sql = f"SELECT *, CAST(NULL AS TIMESTAMPTZ) AS relies_on_observed_at FROM ({sql})"
    return sql


def _params(
    mapped: MappedRule, used: Sequence[str] | set[str], production_environments: list[str]
) -> dict[str, Any]:
    engine = {"production_environments": production_environments}
    return {**{k: v for k, v in engine.items() if k in used}, **mapped.params}


class _RuleFailed(Exception):
    """A batched rule's query failed while running: evaluate it day by day instead."""

    def __init__(self, key: tuple[str, str]) -> None:
        super().__init__(key)
        self.key = key


_INSERT_PARAMETERS = frozenset(
    {"framework", "evaluated_at", "control_id", "rule_id", "rule_hash", "statuses", "subject_types"}
)


def _reading(statement: str, query: str) -> str:
    """An insert of ours reading the rule's query where it reads `backfill_rule_rows`."""
    return statement.replace("FROM backfill_rule_rows", f"FROM ({query}) AS backfill_rule_rows")


def _insert_batched(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    controls: list[MappedRule],
    production_environments: list[str],
    ids: dict[str, Any],
) -> None:
    """Run one rule for every day and insert its rows as each of its controls' results.

    A rule of one control goes straight into `control_results` as if it returned each subject
    once a day, which rules do; when it did not, those rows are inserted again with the
    duplicates made error rows. A rule of several controls is run once into a table first.
    """
    first = controls[0]
    used = con.extract_statements(sql)[0].named_parameters
    rule_params = _params(first, used, production_environments)
    if len(controls) == 1 and not _INSERT_PARAMETERS & set(rule_params):
        params = {**rule_params, **_insert_parameters(first, ids)}
        try:
            con.execute(_reading(_sql("insert_unique_rule_rows.sql"), sql), params)
        except duckdb.Error as exc:
            raise _RuleFailed(_key(first)) from exc
        identity = {k: params[k] for k in ("framework", "control_id", "rule_id", "rule_hash")}
        if con.execute(_sql("has_duplicate_results.sql"), identity).fetchone()[0]:
            run_script(con, _sql("delete_rule_results.sql"), identity)
            con.execute(_reading(_sql("insert_rule_rows.sql"), sql), params)
        return
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE backfill_rule_rows AS {sql}", rule_params)
    except duckdb.Error as exc:
        raise _RuleFailed(_key(first)) from exc
    duplicates = con.execute(_sql("has_duplicate_subjects.sql")).fetchone()[0]
    insert = _sql("insert_rule_rows.sql" if duplicates else "insert_unique_rule_rows.sql")
    for mapped in controls:
        con.execute(insert, _insert_parameters(mapped, ids))
    con.execute("DROP TABLE backfill_rule_rows")


def _insert_parameters(mapped: MappedRule, ids: dict[str, Any]) -> dict[str, Any]:
    return {
        **ids,
        "control_id": mapped.control_id,
        "rule_id": mapped.rule_id,
        "rule_hash": mapped.rule_hash,
        "statuses": list(SUBJECT_STATUSES),
        "subject_types": list(SUBJECT_TYPES),
    }


def _stage_day_by_day(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    rules: list[tuple[MappedRule, list[MappedRule]]],
    as_ofs: Sequence[datetime],
) -> dict[datetime, dict[str, str]]:
    """Evaluate these rules one instant at a time with `evaluate`'s own staging, into
    `backfill_staged_results`; the rules that failed, per instant."""
    mapped = [m for _, controls in rules for m in controls]
    failed: dict[datetime, dict[str, str]] = {}
    for as_of in as_ofs:
        prepare_helpers(con, as_of, configuration.production_environments)
        failed[as_of] = stage_rules(con, configuration, as_of, mapped)
        con.execute(_sql("stage_day_rows.sql"), {"as_of": as_of})
    for name in PER_DAY_HELPERS:
        con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")
    return failed


def _rules_by_identity(
    configuration: ControlConfiguration,
) -> list[tuple[MappedRule, list[MappedRule]]]:
    """Each distinct (rule, hash) once, with the mapped rules (one per control) it serves."""
    grouped: dict[tuple[str, str], list[MappedRule]] = {}
    for mapped in configuration.all_rules():
        grouped.setdefault((mapped.rule_id, mapped.rule_hash), []).append(mapped)
    return [(controls[0], controls) for controls in grouped.values()]


def evaluate_many(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    as_ofs: Sequence[datetime],
    *,
    evaluated_at: datetime | None = None,
    run_id: str | None = None,
    trigger: str = "backfill",
) -> list[EvaluationSummary]:
    """Evaluate every control at each instant and replace those evaluations, in one
    transaction; the stored rows are those `evaluate` gives for each instant on its own.

    The rules that can be batched run inside the transaction, straight into
    `control_results`; the others, day by day before it (a rule's failure must not abort the
    transaction). A batched rule whose query fails while running rolls the transaction back
    and joins the others, and the transaction starts again.

    After this, the connection has external access disabled (it cannot be re-enabled).
    """
    as_ofs = sorted({a.astimezone(UTC) for a in as_ofs})
    if not as_ofs:
        return []
    evaluated_at = evaluated_at or utc_now()
    settings = {
        name: con.execute(f"SELECT current_setting('{name}')").fetchone()[0]
        for name in BACKFILL_SETTINGS
    }
    for name, value in BACKFILL_SETTINGS.items():
        con.execute(f"SET {name} = '{value}'")
    try:
        return _evaluate_many(con, configuration, as_ofs, evaluated_at, run_id, trigger)
    finally:
        for name, value in settings.items():
            con.execute(f"SET {name} = '{value}'")


def _evaluate_many(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    as_ofs: list[datetime],
    evaluated_at: datetime,
    run_id: str | None,
    trigger: str,
) -> list[EvaluationSummary]:
    framework = configuration.framework
    environments = engine_parameters(as_ofs[0], configuration.production_environments)[
        "production_environments"
    ]
    ids = {"framework": framework, "evaluated_at": evaluated_at}
    prepare_backfill_helpers(con, as_ofs, framework, configuration.production_environments)
    disable_external_access(con)
    con.execute(_sql("create_staged_results.sql"))
    batched: list[tuple[str, list[MappedRule]]] = []
    day_by_day: list[tuple[MappedRule, list[MappedRule]]] = []
    for first, controls in _rules_by_identity(configuration):
        sql = _batched_rule_rows(con, first, environments)
        if sql is None:
            log.info("backfill: %s cannot be run for all the days at once", first.rule_id)
            day_by_day.append((first, controls))
        else:
            batched.append((sql, controls))
    failed = _stage_day_by_day(con, configuration, day_by_day, as_ofs) if day_by_day else {}
    while True:
        con.execute("BEGIN TRANSACTION")
        try:
            store_configuration_if_changed(con, configuration, evaluated_at)
            run_script(con, _sql("delete_evaluations.sql"), ids)
            for sql, controls in batched:
                _insert_batched(con, sql, controls, environments, ids)
            con.execute(_sql("insert_staged_results.sql"), ids)
            counts: dict[datetime, dict[str, SubjectCounts]] = {a: {} for a in as_ofs}
            for row in con.execute(_sql("count_results.sql"), {"framework": framework}).fetchall():
                counts[row[0].astimezone(UTC)][row[1]] = SubjectCounts(*row[2:])
            summaries = _summaries(configuration, counts, failed, evaluated_at)
            _register_roll_ups(con, configuration, counts)
            _register_evaluations(con, summaries)
            try:
                con.execute(_sql("insert_effectiveness.sql"), ids)
                con.execute(
                    _sql("insert_evaluations.sql"), {**ids, "run_id": run_id, "trigger": trigger}
                )
            finally:
                for name in ("backfill_roll_ups", "backfill_evaluations"):
                    con.unregister(name)
            con.execute("COMMIT")
            break
        except _RuleFailed as exc:
            con.execute("ROLLBACK")
            index = next(i for i, (_, c) in enumerate(batched) if _key(c[0]) == exc.key)
            _, controls = batched.pop(index)
            # Worth seeing: the rule is then run once a day, which can cost a large backfill
            # many times its time (an out-of-memory error did, unnoticed, until this warning).
            log.warning(
                "backfill: %s failed when run for all the days at once (%s); evaluating it "
                "day by day instead",
                controls[0].rule_id,
                exc.__cause__,
            )
            more = _stage_day_by_day(con, configuration, [(controls[0], controls)], as_ofs)
            for as_of, rules in more.items():
                failed.setdefault(as_of, {}).update(rules)
        except BaseException:
            con.execute("ROLLBACK")
            raise
    con.execute("DROP TABLE IF EXISTS backfill_staged_results")
    return summaries


def _key(mapped: MappedRule) -> tuple[str, str]:
    return (mapped.rule_id, mapped.rule_hash)


def _summaries(
    configuration: ControlConfiguration,
    counts: dict[datetime, dict[str, SubjectCounts]],
    failed: dict[datetime, dict[str, str]],
    evaluated_at: datetime,
) -> list[EvaluationSummary]:
    framework = configuration.framework
    rules_run = len({_key(r) for r in configuration.all_rules()})
    summaries = []
    for as_of, day_counts in counts.items():
        day_failed = failed.get(as_of, {})
        statuses = [r["status"] for r in roll_up_controls(configuration, day_counts, as_of)]
        summaries.append(
            EvaluationSummary(
                evaluation_id=evaluation_id_for(framework, as_of),
                framework=framework,
                as_of=as_of,
                evaluated_at=evaluated_at,
                controls_by_status=dict(Counter(statuses)),
                subjects_by_status=subjects_by_status(day_counts),
                rules_run=rules_run,
                rules_failed=len(day_failed),
                failed_rules=dict(day_failed),
            )
        )
    return summaries


def _register_roll_ups(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    counts: dict[datetime, dict[str, SubjectCounts]],
) -> None:
    rows = [
        {"as_of": as_of, **row}
        for as_of, day_counts in counts.items()
        for row in roll_up_controls(configuration, day_counts, as_of)
    ]
    schema = pa.schema(
        [
            ("as_of", pa.timestamp("us", tz="UTC")),
            ("control_id", pa.string()),
            ("subjects_evaluated", pa.int64()),
            ("subjects_passing", pa.int64()),
            ("subjects_failing", pa.int64()),
            ("subjects_stale", pa.int64()),
            ("subjects_not_applicable", pa.int64()),
            ("subjects_error", pa.int64()),
            ("subjects_backdated", pa.int64()),
            ("effectiveness", pa.float64()),
            ("status", pa.string()),
            ("threshold", pa.float64()),
            ("rules", pa.list_(pa.string())),
            ("attestation_status", pa.string()),
        ]
    )
    con.register("backfill_roll_ups", pa.Table.from_pylist(rows, schema=schema))


def _register_evaluations(
    con: duckdb.DuckDBPyConnection, summaries: list[EvaluationSummary]
) -> None:
    table = pa.table(
        {
            "as_of": pa.array([s.as_of for s in summaries], pa.timestamp("us", tz="UTC")),
            "rules_run": pa.array([s.rules_run for s in summaries], pa.int32()),
            "rules_failed": pa.array([s.rules_failed for s in summaries], pa.int32()),
            "results": pa.array([s.results for s in summaries], pa.int64()),
        }
    )
    con.register("backfill_evaluations", table)
