"""`evidence-pipeline run`: materialise every asset once, in process, and summarise.

The run uses the definitions the UI loads (`evidence_pipeline.definitions`) and, when
`DAGSTER_HOME` is set, the UI's instance, so it appears in the UI's run history. Progress is
printed per step from the instance's event stream; Dagster's own console log stays at WARNING.
When a source's ingestion fails, Dagster skips the evaluation downstream of it; the controls
are then evaluated on the stored evidence in a second run of the evaluation job.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

import click
import dagster as dg
import duckdb
from filelock import FileLock

from connectors.redaction import scrub
from evidence_pipeline.controls.as_of import INGESTION_RUN_TAG
from evidence_pipeline.controls.rollup import ControlStatus
from evidence_pipeline.resources import WarehouseResource
from evidence_pipeline.settings import Settings, SettingsError
from evidence_pipeline.warehouse.store import Warehouse, WarehouseNotFoundError

# Held while a process opens the Dagster instance of DAGSTER_HOME (see dagster_instance).
INSTANCE_OPEN_LOCK = ".instance-open.lock"

EVIDENCE_JOB = "evidence_job"
EVALUATION_JOB = "evaluation_job"
EVALUATION_GROUP = "controls"
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Source:
    """An evidence source: its ingestion assets' group and the variable that configures it."""

    name: str
    group: str
    variable: str

    def location(self, settings: Settings) -> str | None:
        return {
            "MLFLOW_TRACKING_URI": settings.mlflow_tracking_uri,
            "EVIDENCE_GX_RESULTS": settings.gx_results,
            "EVIDENCE_DEPLOY_LOGS": settings.deploy_logs,
        }[self.variable]


SOURCES = (
    Source("mlflow", "ingestion_mlflow", "MLFLOW_TRACKING_URI"),
    Source("gx", "ingestion_gx", "EVIDENCE_GX_RESULTS"),
    Source("deploy_logs", "ingestion_deploy_logs", "EVIDENCE_DEPLOY_LOGS"),
)


@dataclass
class StepResult:
    step_key: str
    info: StepInfo
    status: str = "pending"  # started | succeeded | failed | skipped
    error: str | None = None

    @property
    def group(self) -> str | None:
        return self.info.group


@dataclass
class SourceSummary:
    source: Source
    configured: bool
    status: str  # succeeded | failed | skipped | not run
    records_read: int = 0
    rows_landed: int = 0
    quarantined: int = 0
    skipped: int = 0
    message: str | None = None


@dataclass
class PipelineOutcome:
    """What a run did: its Dagster runs, each step's result, and what it means for the user."""

    run_ids: list[str] = field(default_factory=list)
    steps: dict[str, StepResult] = field(default_factory=dict)
    sources: list[SourceSummary] = field(default_factory=list)
    evaluation_status: str = "not run"  # succeeded | failed | not run
    evaluation_error: str | None = None
    control_statuses: dict[str, int] = field(default_factory=dict)
    controls_as_of: str | None = None
    warehouse: Path | None = None

    @property
    def failures(self) -> list[str]:
        """One line per configured source or evaluation that failed, naming it and why."""
        lines = [
            f"{s.source.name}: {s.message or 'ingestion failed'}"
            for s in self.sources
            if s.status in ("failed", "not run") and s.configured
        ]
        if self.evaluation_status != "succeeded":
            lines.append(f"control evaluation: {self.evaluation_error or 'did not run'}")
        lines.extend(
            f"{step.info.label} could not run: {step.error}"
            for step in self.steps.values()
            if step.info.is_check and step.status == "failed"
        )
        return lines

    @property
    def succeeded(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class StepInfo:
    """What a step of the job is: its label for people, its asset group, whether a check."""

    label: str
    group: str | None
    is_check: bool


def describe_steps(defs: dg.Definitions) -> dict[str, StepInfo]:
    """Each step's label and group: an asset's own group, or its asset's for a check."""
    graph = defs.resolve_asset_graph()
    steps: dict[str, StepInfo] = {}
    for assets_def in graph.assets_defs:
        if not assets_def.is_executable:
            continue
        keys = list(assets_def.keys)
        checks = list(assets_def.check_keys)
        groups = {graph.get(key).group_name for key in keys} or {
            graph.get(check.asset_key).group_name for check in checks
        }
        if len(keys) == 1:
            label = keys[0].to_user_string()
        elif keys:
            label = assets_def.node_def.name
        elif len(checks) == 1:
            label = f"check {checks[0].name}"
        else:
            targets = {check.asset_key.to_user_string() for check in checks}
            label = f"{len(checks)} checks" + (f" on {targets.pop()}" if len(targets) == 1 else "")
        group = next(iter(groups)) if len(groups) == 1 else None
        steps[assets_def.node_def.name] = StepInfo(label, group, is_check=not keys)
    return steps


def _error_message(error: object) -> str:
    """The user's error inside Dagster's wrappers: the first cause not raised by Dagster."""
    chosen = error
    current = error
    while current is not None:
        if not getattr(current, "cls_name", "").startswith("Dagster"):
            chosen = current
            break
        current = getattr(current, "cause", None) or getattr(current, "context", None)
    message = getattr(chosen, "message", str(chosen)).strip()
    cls_name = getattr(chosen, "cls_name", "") or ""
    for name in (cls_name, cls_name.rsplit(".", 1)[-1]):
        head, sep, rest = message.partition(": ")
        if name and sep and head.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1]:
            message = rest
            break
    return scrub(message.splitlines()[0] if message else cls_name) or "unknown error"


class ProgressPrinter:
    """Receives a run's events from the instance and prints one line per step change."""

    def __init__(self, echo: Echo, steps: dict[str, StepInfo], outcome: PipelineOutcome):
        self.echo = echo
        self.steps = steps
        self.outcome = outcome
        self.started = time.monotonic()

    def line(self, step: StepResult, text: str) -> None:
        elapsed = time.monotonic() - self.started
        self.echo(f"  [{elapsed:6.1f}s] {step.info.label:<36} {text}")

    def __call__(self, entry: dg.EventLogEntry) -> None:
        event = entry.dagster_event
        if event is None or event.step_key is None:
            return
        info = self.steps.get(event.step_key) or StepInfo(event.step_key, None, is_check=False)
        step = self.outcome.steps.setdefault(event.step_key, StepResult(event.step_key, info))
        kind = event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            step.status = "started"
            self.line(step, "started")
        elif kind == dg.DagsterEventType.STEP_SUCCESS:
            step.status = "succeeded"
            self.line(step, "succeeded")
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            step.status = "failed"
            step.error = _error_message(event.step_failure_data.error)
            self.line(step, f"FAILED: {step.error}")
        elif kind == dg.DagsterEventType.STEP_SKIPPED:
            step.status = "skipped"
            self.line(step, "skipped (an upstream step failed)")
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and step.group != EVALUATION_GROUP:
                self.line(step, f"check {evaluation.check_name} did not pass")
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            if event.asset_key and event.asset_key.to_user_string() != step.info.label:
                self.line(step, f"materialised {event.asset_key.to_user_string()}")


@contextmanager
def dagster_instance() -> Iterator[dg.DagsterInstance]:
    """The instance of `DAGSTER_HOME` when set (the UI's), else an ephemeral one."""
    home = os.environ.get("DAGSTER_HOME", "").strip()
    if home:
        # Dagster wants an absolute path; accept the relative one a person may type.
        resolved = Path(home).expanduser().resolve()
        os.environ["DAGSTER_HOME"] = str(resolved)
        # Opening an instance creates its sqlite storages on first use, and two processes
        # doing that at once race ("table ... already exists"); serialise the opening only.
        resolved.mkdir(parents=True, exist_ok=True)
        with FileLock(str(resolved / INSTANCE_OPEN_LOCK)):
            instance = dg.DagsterInstance.get()
        with instance:
            yield instance
    else:
        with dg.DagsterInstance.ephemeral() as instance:
            yield instance


def _execute(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    printer: ProgressPrinter,
    asset_selection: list[dg.AssetKey] | None = None,
    tags: dict[str, str] | None = None,
) -> str:
    run_id = str(uuid.uuid4())
    instance.add_event_listener(run_id, printer)
    run_config = QUIET_CONSOLE if "console" in job.loggers else None
    job.execute_in_process(
        run_config=run_config,
        instance=instance,
        raise_on_error=False,
        run_id=run_id,
        asset_selection=asset_selection,
        tags=tags,
    )
    printer.outcome.run_ids.append(run_id)
    return run_id


def _evaluation_steps(outcome: PipelineOutcome, steps: dict[str, StepInfo]) -> list[StepResult]:
    """The evaluation's asset steps (its checks aside), as far as they got."""
    return [
        outcome.steps.get(key, StepResult(key, info))
        for key, info in steps.items()
        if info.group == EVALUATION_GROUP and not info.is_check
    ]


def _evaluation_selection(defs: dg.Definitions) -> list[dg.AssetKey]:
    graph = defs.resolve_asset_graph()
    return [
        key
        for key in graph.get_all_asset_keys()
        if graph.get(key).group_name == EVALUATION_GROUP
        and graph.get(key).is_executable
        and graph.get(key).partitions_def is None
    ]


def run_pipeline(echo: Echo = click.echo, defs: dg.Definitions | None = None) -> PipelineOutcome:
    """Run the evidence job (and the evaluation again if it was skipped); return the outcome."""
    settings = Settings.from_env()  # refuses an EVIDENCE_AS_OF in the future
    if defs is None:
        # Notes to Dagster developers about its beta APIs mean nothing to the person running.
        for category in (dg.BetaWarning, dg.PreviewWarning):
            warnings.filterwarnings("ignore", category=category)
        from evidence_pipeline.definitions import defs as project_defs

        defs = project_defs
    steps = describe_steps(defs)
    outcome = PipelineOutcome()
    for source in SOURCES:
        if not source.location(settings):
            echo(f"{source.name}: not configured ({source.variable} is unset); skipped")
    # One publication of the warehouse for the whole run, when it ends, not one per step.
    with dagster_instance() as instance, _warehouse(defs).publication_deferred():
        home = os.environ.get("DAGSTER_HOME")
        where = f"the Dagster instance in {home}" if home else "an ephemeral Dagster instance"
        echo(f"Running {EVIDENCE_JOB} on {where}")
        printer = ProgressPrinter(echo, steps, outcome)
        ingestion_run_id = _execute(defs.resolve_job_def(EVIDENCE_JOB), instance, printer)
        evaluation = _evaluation_steps(outcome, steps)
        not_run = [s for s in evaluation if s.status in ("skipped", "pending")]
        if not_run and not any(s.status == "failed" for s in evaluation):
            for step in not_run:
                if step.status == "pending":
                    printer.line(step, "not run: a step upstream of it failed")
            echo("Evaluating the controls on the stored evidence, in a second run")
            try:
                job, selection = defs.resolve_job_def(EVALUATION_JOB), None
            except dg.DagsterInvariantViolationError:  # no evaluation job: select its assets
                job, selection = defs.resolve_job_def(EVIDENCE_JOB), _evaluation_selection(defs)
            # as of when the first run's ingestion finished, as if it had evaluated itself
            _execute(job, instance, printer, selection, {INGESTION_RUN_TAG: ingestion_run_id})
    _summarise(outcome, steps, settings, defs)
    return outcome


def _warehouse(defs: dg.Definitions) -> Warehouse:
    resource = (defs.resources or {}).get("warehouse")
    if not isinstance(resource, WarehouseResource):
        resource = WarehouseResource()
    return resource.get_warehouse()


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
        "UNION ALL SELECT count(*) FROM duckdb_views() WHERE view_name = ?",
        [name, name],
    ).fetchall()
    return sum(r[0] for r in row) > 0


def _summarise(
    outcome: PipelineOutcome,
    steps: dict[str, StepInfo],
    settings: Settings,
    defs: dg.Definitions,
) -> None:
    warehouse = _warehouse(defs)
    outcome.warehouse = warehouse.published_path
    recorded: dict[str, tuple] = {}
    try:
        with warehouse.reader() as con:
            placeholders = ", ".join("?" for _ in outcome.run_ids)
            for row in con.execute(
                "SELECT source, status, records_read, rows_landed, quarantined, skipped, message "
                f"FROM ingestion_runs WHERE run_id IN ({placeholders}) ORDER BY started_at",
                outcome.run_ids,
            ).fetchall():
                recorded[row[0]] = row
            _read_control_statuses(con, outcome)
    except (WarehouseNotFoundError, duckdb.Error):
        pass

    for source in SOURCES:
        ran = [s for s in outcome.steps.values() if s.group == source.group and not s.info.is_check]
        failed = [s for s in ran if s.status == "failed"]
        configured = bool(source.location(settings))
        summary = SourceSummary(source, configured, status="succeeded")
        row = recorded.get(source.name)
        if row is not None:
            _, summary.status, read, landed, quarantined, skipped, message = row
            summary.records_read, summary.rows_landed = read or 0, landed or 0
            summary.quarantined, summary.skipped = quarantined or 0, skipped or 0
            summary.message = message
        if failed:
            summary.status = "failed"
            summary.message = failed[0].error
        elif not configured:
            summary.status = "skipped"
            summary.message = summary.message or f"not configured ({source.variable} is unset)"
        elif row is None and not any(s.status == "succeeded" for s in ran):
            summary.status = "not run"
            has_asset = any(i.group == source.group for i in steps.values())
            summary.message = (
                "its ingestion did not run"
                if has_asset
                else "this installation has no ingestion asset for it"
            )
        outcome.sources.append(summary)

    evaluation = _evaluation_steps(outcome, steps)
    failed_steps = [s for s in evaluation if s.status == "failed"]
    if failed_steps:
        outcome.evaluation_status = "failed"
        outcome.evaluation_error = f"{failed_steps[0].step_key}: {failed_steps[0].error}"
    elif evaluation and all(s.status == "succeeded" for s in evaluation):
        outcome.evaluation_status = "succeeded"
    else:
        outcome.evaluation_status = "not run"
        outcome.evaluation_error = (
            "it did not run" if evaluation else "this installation has no evaluation asset"
        )


def _read_control_statuses(con: duckdb.DuckDBPyConnection, outcome: PipelineOutcome) -> None:
    """Control statuses of this invocation's evaluation (by its Dagster run ids), else of the
    latest evaluation made; an evaluation without any per-subject row (every source
    unconfigured) is still one."""
    if not _table_exists(con, "control_effectiveness"):
        return
    latest = None
    if _table_exists(con, "control_evaluations"):
        placeholders = ", ".join("?" for _ in outcome.run_ids) or "NULL"
        latest = con.execute(
            "SELECT evaluation_id, as_of FROM control_evaluations "
            f"ORDER BY run_id IN ({placeholders}) DESC NULLS LAST, evaluated_at DESC LIMIT 1",
            outcome.run_ids,
        ).fetchone()
    if latest is None:
        latest = con.execute(
            "SELECT evaluation_id, as_of FROM control_effectiveness ORDER BY as_of DESC LIMIT 1"
        ).fetchone()
    if latest is None:
        return
    outcome.controls_as_of = latest[1].isoformat() if latest[1] is not None else None
    outcome.control_statuses = dict(
        con.execute(
            "SELECT status, count(*) FROM control_effectiveness WHERE evaluation_id = ? "
            "GROUP BY status ORDER BY count(*) DESC, status",
            [latest[0]],
        ).fetchall()
    )


def describe_control_statuses(counts: dict[str, int]) -> str:
    """`2 effective, 1 partially effective, ...` in the vocabulary's order."""
    order = list(get_args(ControlStatus))
    ranked = sorted(counts.items(), key=lambda item: [*order, item[0]].index(item[0]))
    return ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in ranked)


def print_summary(outcome: PipelineOutcome, echo: Echo = click.echo) -> None:
    echo("")
    echo("Summary")
    echo(
        f"  {'source':<12} {'status':<10} {'read':>7} {'landed':>7} {'quarantined':>12} "
        f"{'skipped':>8}"
    )
    for s in outcome.sources:
        if s.status == "succeeded":
            echo(
                f"  {s.source.name:<12} {s.status:<10} {s.records_read:>7} {s.rows_landed:>7} "
                f"{s.quarantined:>12} {s.skipped:>8}"
            )
        else:
            echo(f"  {s.source.name:<12} {s.status:<10} {s.message or ''}")
    if outcome.evaluation_status == "succeeded":
        counts = describe_control_statuses(outcome.control_statuses)
        as_of = f" as of {outcome.controls_as_of}" if outcome.controls_as_of else ""
        echo(f"  controls     evaluated{as_of}: {counts or 'no control results'}")
    else:
        echo(f"  controls     {outcome.evaluation_status}: {outcome.evaluation_error}")
    echo(f"  warehouse    {outcome.warehouse}")
    echo(f"  dagster runs {', '.join(outcome.run_ids)}")


@click.command("run")
def run_command() -> None:
    """Ingest every configured source, evaluate every control, and summarise.

    Exits 1, naming what failed, when a configured source could not be ingested or the
    controls could not be evaluated; failing controls are data, not errors.
    """
    try:
        outcome = run_pipeline()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    print_summary(outcome)
    if not outcome.succeeded:
        for line in outcome.failures:
            click.echo(f"Failed: {line}", err=True)
        raise SystemExit(1)
