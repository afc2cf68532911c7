"""Evaluate every control at many instants at once (the history backfill), with the results of
evaluating each instant on its own (`evaluation.evaluate`), in one transaction.

The helper relations are built once for all the instants (`sql/backfill/helpers/`), each rule
runs once for all of them (`batching.batched_rule_sql`), and the rows of every day are staged,
then replace those days' evaluations in a few set-based statements. A rule that cannot be
rewritten, or whose rewritten query fails, is evaluated day by day with the per-day helpers,
exactly as `evaluate` does, so its error rows are the same too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa

from evidence_pipeline.controls.batching import AS_OF_COLUMN, batched_rule_sql
from evidence_pipeline.controls.configuration import REQUIRED_COLUMNS, ControlConfiguration
from evidence_pipeline.controls.context import (
    HELPERS_DIR,
    disable_external_access,
    engine_parameters,
    prepare_helpers,
    run_script,
)
from evidence_pipeline.controls.evaluation import (
    SUBJECT_TYPES,
    EvaluationSummary,
    describe_failure,
    evaluation_id_for,
    roll_up_controls,
    rule_rows,
    store_configuration,
    subjects_by_status,
)
from evidence_pipeline.controls.mappings import MappedRule
from evidence_pipeline.controls.rollup import SUBJECT_STATUSES, SubjectCounts
from evidence_pipeline.settings import utc_now
from evidence_pipeline.sql_files import sql_loader

load_sql = sql_loader(__file__)
BACKFILL_HELPERS_DIR = HELPERS_DIR.parent / "backfill" / "helpers"
# The per-day helper tables: dropped before the batched rules run, so that a rule naming one
# in a way the rewrite did not see fails (and is evaluated day by day) rather than reading them.
PER_DAY_HELPERS = (
    "registered_models_as_of",
    "model_versions_as_of",
    "deployment_events_as_of",
    "live_production_versions",
    "gx_validations_as_of",
    "mlflow_runs_as_of",
    "run_dataset_inputs_as_of",
)


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
    for path in sorted(BACKFILL_HELPERS_DIR.glob("*.sql")):
        run_script(con, path.read_text(encoding="utf-8"), params)


def _run_batched(
    con: duckdb.DuckDBPyConnection, mapped: MappedRule, production_environments: list[str]
) -> bool:
    """Run the rule for every day into `backfill_rule_rows`; False when it cannot be."""
    sql = batched_rule_sql(mapped.rule.sql)
    if sql is None:
        return False
    try:
        statement = con.extract_statements(sql)
        if len(statement) != 1:
            return False
        used = statement[0].named_parameters
        engine = {"production_environments": production_environments}
        params = {**{k: v for k, v in engine.items() if k in used}, **mapped.params}
        con.execute(f"CREATE OR REPLACE TEMP TABLE backfill_rule_rows AS {sql}", params)
    except duckdb.Error:
        return False
    columns = [c[0] for c in con.execute("SELECT * FROM backfill_rule_rows LIMIT 0").description]
    if any(c not in columns for c in REQUIRED_COLUMNS):
        return False
    if "relies_on_observed_at" not in columns:
        con.execute("ALTER TABLE backfill_rule_rows ADD COLUMN relies_on_observed_at TIMESTAMPTZ")
    return True


def _stage_batched(con: duckdb.DuckDBPyConnection, controls: list[MappedRule]) -> None:
    stage = _sql("stage_rule_rows.sql")
    for mapped in controls:
        con.execute(
            stage,
            {
                "control_id": mapped.control_id,
                "rule_id": mapped.rule_id,
                "rule_hash": mapped.rule_hash,
                "statuses": list(SUBJECT_STATUSES),
                "subject_types": list(SUBJECT_TYPES),
            },
        )


def _stage_day_by_day(
    con: duckdb.DuckDBPyConnection,
    configuration: ControlConfiguration,
    rules: list[tuple[MappedRule, list[MappedRule]]],
    as_ofs: Sequence[datetime],
) -> dict[datetime, dict[str, str]]:
    """Evaluate these rules one instant at a time, as `evaluate` does; failures per instant."""
    failed: dict[datetime, dict[str, str]] = {a: {} for a in as_ofs}
    stage_error = _sql("stage_rule_error.sql")
    for as_of in as_ofs:
        prepare_helpers(con, as_of, configuration.production_environments)
        engine = engine_parameters(as_of, configuration.production_environments)
        for first, controls in rules:
            try:
                table: pa.Table | str = rule_rows(con, first, engine)
            except duckdb.Error as exc:
                table = describe_failure(exc)
                failed[as_of][first.rule_id] = table
            if isinstance(table, str):
                for mapped in controls:
                    con.execute(
                        stage_error,
                        {
                            "as_of": as_of,
                            "control_id": mapped.control_id,
                            "rule_id": mapped.rule_id,
                            "rule_hash": mapped.rule_hash,
                            "reason": table,
                        },
                    )
                continue
            day = pa.array([as_of] * table.num_rows, pa.timestamp("us", tz="UTC"))
            con.register("backfill_day_rows", table.add_column(0, AS_OF_COLUMN, day))
            try:
                con.execute(
                    "CREATE OR REPLACE TEMP TABLE backfill_rule_rows AS "
                    "SELECT * FROM backfill_day_rows"
                )
            finally:
                con.unregister("backfill_day_rows")
            _stage_batched(con, controls)
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

    After this, the connection has external access disabled (it cannot be re-enabled).
    """
    as_ofs = sorted({a.astimezone(UTC) for a in as_ofs})
    if not as_ofs:
        return []
    evaluated_at = evaluated_at or utc_now()
    framework = configuration.framework
    environments = engine_parameters(as_ofs[0], configuration.production_environments)[
        "production_environments"
    ]

    prepare_backfill_helpers(con, as_ofs, framework, configuration.production_environments)
    disable_external_access(con)
    con.execute(_sql("create_staged_results.sql"))
    day_by_day = []
    for first, controls in _rules_by_identity(configuration):
        if _run_batched(con, first, environments):
            _stage_batched(con, controls)
        else:
            day_by_day.append((first, controls))
    con.execute("DROP TABLE IF EXISTS backfill_rule_rows")
    failed = _stage_day_by_day(con, configuration, day_by_day, as_ofs) if day_by_day else {}

    counts: dict[datetime, dict[str, SubjectCounts]] = {a: {} for a in as_ofs}
    for row in con.execute(_sql("count_staged_results.sql")).fetchall():
        counts[row[0].astimezone(UTC)][row[1]] = SubjectCounts(*row[2:])
    rules_run = len({(r.rule_id, r.rule_hash) for r in configuration.all_rules()})
    roll_ups: dict[datetime, list[dict[str, Any]]] = {}
    summaries = []
    for as_of in as_ofs:
        roll_ups[as_of] = roll_up_controls(configuration, counts[as_of], as_of)
        by_status = subjects_by_status(counts[as_of])
        day_failed = failed.get(as_of, {})
        summaries.append(
            EvaluationSummary(
                evaluation_id=evaluation_id_for(framework, as_of),
                framework=framework,
                as_of=as_of,
                evaluated_at=evaluated_at,
                controls_by_status=dict(Counter(row["status"] for row in roll_ups[as_of])),
                subjects_by_status=by_status,
                rules_run=rules_run,
                rules_failed=len(day_failed),
                failed_rules=day_failed,
            )
        )
    _register_roll_ups(con, roll_ups)
    _register_evaluations(con, summaries)
    ids = {"framework": framework, "evaluated_at": evaluated_at}
    con.execute("BEGIN TRANSACTION")
    try:
        store_configuration(con, configuration, evaluated_at)
        run_script(con, _sql("delete_evaluations.sql"), ids)
        con.execute(_sql("insert_results.sql"), ids)
        con.execute(_sql("insert_effectiveness.sql"), ids)
        con.execute(_sql("insert_evaluations.sql"), {**ids, "run_id": run_id, "trigger": trigger})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for name in ("backfill_roll_ups", "backfill_evaluations"):
            con.unregister(name)
    con.execute("DROP TABLE IF EXISTS backfill_staged_results")
    return summaries


def _register_roll_ups(
    con: duckdb.DuckDBPyConnection, roll_ups: dict[datetime, list[dict[str, Any]]]
) -> None:
    rows = [{"as_of": as_of, **row} for as_of, day in roll_ups.items() for row in day]
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
