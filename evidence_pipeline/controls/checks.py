"""One asset check per automated or partial control, on `evidence/control_results`.

Each check reports the roll-up of its control in the evaluation that `evidence/control_results`
last materialised: `effective` and `not_applicable` (and `attested`) pass; `partially_effective`,
`no_evidence` and `manual` fail with severity WARN; `ineffective` and `error` fail with ERROR.
The checks are not blocking: a failing control is data, and never stops the warehouse from being
written. They read the published warehouse, read-only.
"""

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import dagster as dg
import duckdb
from dagster import AssetCheckExecutionContext

from evidence_pipeline.controls.catalog import Catalog, load_catalog
from evidence_pipeline.controls.configuration import FRAMEWORK, PROJECT_MAPPINGS_DIR
from evidence_pipeline.resources import MlflowResource, WarehouseResource
from evidence_pipeline.sql_files import sql_loader
from evidence_pipeline.warehouse.store import WarehouseNotFoundError

load_sql = sql_loader(__file__)
CONTROL_RESULTS = dg.AssetKey(["evidence", "control_results"])
CATALOG_PATH = PROJECT_MAPPINGS_DIR / FRAMEWORK / "catalog.yaml"
CHECKED_AUTOMATION = ("automated", "partial")
FAILING_SUBJECTS_SHOWN = 20

PASSING = frozenset({"effective", "not_applicable", "attested"})
WARNING = frozenset({"partially_effective", "no_evidence", "manual"})
COUNT_COLUMNS = (
    "subjects_evaluated",
    "subjects_passing",
    "subjects_failing",
    "subjects_stale",
    "subjects_not_applicable",
    "subjects_error",
)


@dataclass(frozen=True)
class ControlCheck:
    """A catalog control that gets an asset check."""

    control_id: str
    check_name: str
    title: str
    description: str
    automation: str
    objective_id: str
    threshold: float | None = None


def default_check_name(control_id: str, title: str) -> str:
    """`a_<control id with underscores>_<title as words>`, for a control without `check_name`."""
    number = control_id.lower().removeprefix("a.").replace(".", "_")
    words = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return f"a_{number}_{words}"


def controls_with_checks(catalog: Catalog) -> list[ControlCheck]:
    """The controls of a catalog (docs/controls.md, section 2) whose evidence is automated."""
    return [
        ControlCheck(
            control_id=control.control_id,
            check_name=control.check_name or default_check_name(control.control_id, control.title),
            title=control.title,
            description=" ".join(control.description.split()),
            automation=control.automation,
            objective_id=control.objective_id,
            threshold=control.threshold,
        )
        for control in sorted(catalog.controls.values(), key=lambda c: c.position)
        if control.automation in CHECKED_AUTOMATION
    ]


# -- judging one control ------------------------------------------------------------------


@dataclass(frozen=True)
class FailingSubject:
    rule_id: str
    subject_type: str | None
    subject_id: str
    status: str
    reason: str | None


def severity_of(status: str) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.WARN if status in WARNING else dg.AssetCheckSeverity.ERROR


def _cell(value: object) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|")


SubjectLink = Callable[[FailingSubject], str | None]


def mlflow_subject_link(tracking_uri: str | None) -> SubjectLink | None:
    """Links to the MLflow UI page of registered models and model versions, when the tracking
    URI is a server. Credentials in the URI are left out of the links."""
    if not tracking_uri or not tracking_uri.startswith(("http://", "https://")):
        return None
    parts = urlsplit(tracking_uri)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))

    def link(subject: FailingSubject) -> str | None:
        if subject.subject_type == "registered_model":
            return f"{base}/#/models/{quote(subject.subject_id, safe='')}"
        if subject.subject_type == "model_version" and "/" in subject.subject_id:
            name, version = subject.subject_id.rsplit("/", 1)
            return f"{base}/#/models/{quote(name, safe='')}/versions/{quote(version, safe='')}"
        return None

    return link


def _subject_cell(subject: FailingSubject, link: SubjectLink | None) -> str:
    url = link(subject) if link else None
    text = _cell(subject.subject_id)
    return f"[{text}]({url})" if url else text


def failing_subjects_table(
    control_id: str,
    subjects: Sequence[FailingSubject],
    total: int,
    link: SubjectLink | None = None,
) -> str:
    """A markdown table of the failing subjects, capped, saying how many there are in all."""
    if total == 0:
        return "No failing subjects."
    lines = [
        "| subject | type | rule | status | reason |",
        "|---|---|---|---|---|",
        *(
            f"| {_subject_cell(s, link)} | {_cell(s.subject_type)} | {_cell(s.rule_id)} "
            f"| {_cell(s.status)} | {_cell(s.reason)} |"
            for s in subjects
        ),
    ]
    if total > len(subjects):
        lines.append("")
        lines.append(
            f"Showing {len(subjects)} of {total} failing subjects; all of them: "
            f"`evidence-pipeline status --control {control_id}`."
        )
    return "\n".join(lines)


def check_result(
    control: ControlCheck,
    evaluation_id: str | None,
    roll_up: Mapping[str, Any] | None,
    failing: Sequence[FailingSubject] = (),
    failing_total: int = 0,
    link: SubjectLink | None = None,
) -> dg.AssetCheckResult:
    """The check result of one control from its roll-up row (None: not in the evaluation)."""
    status = roll_up["status"] if roll_up else "no_evidence"
    effectiveness = roll_up.get("effectiveness") if roll_up else None
    metadata: dict[str, Any] = {
        "control_id": dg.MetadataValue.text(control.control_id),
        "control_title": dg.MetadataValue.text(control.title),
        "objective_id": dg.MetadataValue.text(control.objective_id),
        "status": dg.MetadataValue.text(status),
        "effectiveness": dg.MetadataValue.float(float(effectiveness))
        if effectiveness is not None
        else dg.MetadataValue.null(),
        "evaluation_id": dg.MetadataValue.text(evaluation_id or "none"),
        "failing_subjects_total": dg.MetadataValue.int(failing_total),
        "failing_subjects": dg.MetadataValue.md(
            failing_subjects_table(control.control_id, failing, failing_total, link)
        ),
    }
    threshold = (roll_up or {}).get("threshold", control.threshold)
    if threshold is not None:
        metadata["threshold"] = dg.MetadataValue.float(float(threshold))
    if roll_up and roll_up.get("as_of") is not None:
        metadata["as_of"] = dg.MetadataValue.timestamp(roll_up["as_of"])
    for column in COUNT_COLUMNS:
        metadata[column] = dg.MetadataValue.int(int(roll_up.get(column) or 0) if roll_up else 0)
    if roll_up and roll_up.get("rules"):
        metadata["rules"] = dg.MetadataValue.text(", ".join(sorted(roll_up["rules"])))
    if roll_up and roll_up.get("attestation_status"):
        metadata["attestation_status"] = dg.MetadataValue.text(roll_up["attestation_status"])
    description = _describe(control, status, effectiveness, failing_total, roll_up is None)
    return dg.AssetCheckResult(
        asset_key=CONTROL_RESULTS,
        check_name=control.check_name,
        passed=status in PASSING,
        severity=severity_of(status),
        metadata=metadata,
        description=description,
    )


_STATUS_WORDS = {
    "effective": "effective",
    "partially_effective": "partially effective",
    "ineffective": "ineffective",
    "error": "could not be evaluated (error)",
    "no_evidence": "no evidence",
    "not_applicable": "not applicable",
    "manual": "manual, no valid attestation",
    "attested": "attested",
}


def _describe(
    control: ControlCheck,
    status: str,
    effectiveness: float | None,
    failing_total: int,
    missing: bool,
) -> str:
    if missing:
        return f"{control.control_id} was not in the evaluation: no evidence."
    text = f"{control.control_id}: {_STATUS_WORDS.get(status, status)}"
    if effectiveness is not None:
        text += f" (effectiveness {float(effectiveness):.1%})"
    if failing_total:
        text += f"; {failing_total} failing subject{'s' if failing_total != 1 else ''}"
    return text + "."


# -- reading the evaluation ---------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    evaluation_id: str | None
    roll_ups: dict[str, dict[str, Any]]
    failing: dict[str, list[FailingSubject]]
    failing_totals: dict[str, int]


def find_evaluation_id(
    con: duckdb.DuckDBPyConnection, run_id: str | None = None, framework: str = FRAMEWORK
) -> str | None:
    """The evaluation a Dagster run made (its latest), else the latest evaluation made."""
    row = None
    if run_id:
        row = con.execute(
            load_sql("checks/evaluation_of_run.sql"), {"framework": framework, "run_id": run_id}
        ).fetchone()
    if row is None:
        row = con.execute(
            load_sql("checks/latest_evaluation.sql"), {"framework": framework}
        ).fetchone()
    return row[0] if row else None


def read_evaluation(
    con: duckdb.DuckDBPyConnection,
    evaluation_id: str | None,
    framework: str = FRAMEWORK,
    shown: int = FAILING_SUBJECTS_SHOWN,
) -> Evaluation:
    """The roll-ups and failing subjects (the first `shown` per control) of one evaluation."""
    if evaluation_id is None:
        return Evaluation(None, {}, {}, {})
    params = {"evaluation_id": evaluation_id, "framework": framework}
    cursor = con.execute(load_sql("checks/effectiveness_of_evaluation.sql"), params)
    columns = [d[0] for d in cursor.description]
    roll_ups = {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
    failing: dict[str, list[FailingSubject]] = {}
    totals: dict[str, int] = {}
    for control_id, rule_id, subject_type, subject_id, status, reason, total in con.execute(
        load_sql("checks/failing_subjects_of_evaluation.sql"), {**params, "shown": shown}
    ).fetchall():
        failing.setdefault(control_id, []).append(
            FailingSubject(rule_id, subject_type, subject_id, status, reason)
        )
        totals[control_id] = int(total)
    return Evaluation(evaluation_id, roll_ups, failing, totals)


def _last_materialisation(
    context: AssetCheckExecutionContext,
) -> tuple[str | None, str | None]:
    """The `evaluation_id` the last materialisation of `evidence/control_results` recorded,
    and the run that made it."""
    event = context.instance.get_latest_materialization_event(CONTROL_RESULTS)
    materialization = event.asset_materialization if event else None
    if event is None or materialization is None:
        return None, None
    value = materialization.metadata.get("evaluation_id")
    return (str(value.value) if value is not None else None), event.run_id


# -- the checks ---------------------------------------------------------------------------


def build_control_checks(controls: Sequence[ControlCheck]) -> dg.AssetChecksDefinition:
    by_name = {control.check_name: control for control in controls}
    specs = [
        dg.AssetCheckSpec(
            name=control.check_name,
            asset=CONTROL_RESULTS,
            description=f"{control.control_id} {control.title}: {control.description}",
            blocking=False,
            metadata={
                "control_id": control.control_id,
                "objective_id": control.objective_id,
                "automation": control.automation,
            },
        )
        for control in controls
    ]

    @dg.multi_asset_check(
        name="control_checks",
        specs=specs,
        can_subset=True,
        description="The status of each automated or partial Annex A control.",
    )
    def control_checks_op(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource, mlflow: MlflowResource
    ) -> Iterable[dg.AssetCheckResult]:
        link = mlflow_subject_link(mlflow.resolved_uri())
        evaluation_id, run_id = _last_materialisation(context)
        try:
            with warehouse.get_warehouse().reader() as con:
                evaluation_id = evaluation_id or find_evaluation_id(con, run_id)
                evaluation = read_evaluation(con, evaluation_id)
        except (WarehouseNotFoundError, duckdb.CatalogException) as exc:
            context.log.warning(f"No evaluation to report on: {exc}")
            evaluation = Evaluation(None, {}, {}, {})
        for key in context.selected_asset_check_keys:
            control = by_name[key.name]
            yield check_result(
                control,
                evaluation.evaluation_id,
                evaluation.roll_ups.get(control.control_id),
                evaluation.failing.get(control.control_id, []),
                evaluation.failing_totals.get(control.control_id, 0),
                link,
            )

    return control_checks_op


CHECKED_CONTROLS = controls_with_checks(load_catalog(CATALOG_PATH))
control_checks = [build_control_checks(CHECKED_CONTROLS)]
