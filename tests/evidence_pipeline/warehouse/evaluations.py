"""Store control evaluations in a warehouse as the engine would, for tests that read them.

Each control is given as its roll-up status and its rows `(rule_id, subject_id, status)`; the
counts and the effectiveness are computed from the rows as evidence-model.md, section 3 says.
"""

from datetime import datetime

from evidence_pipeline.warehouse.store import Warehouse

FRAMEWORK = "iso42001_2023"

_INSERT_ROLL_UP = """
INSERT INTO control_effectiveness (evaluation_id, as_of, evaluated_at, framework, control_id,
    subjects_evaluated, subjects_passing, subjects_failing, subjects_stale,
    subjects_not_applicable, subjects_error, subjects_backdated, effectiveness, status,
    threshold, rules, attestation_status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0.9, ?, 'none')
"""

_INSERT_RESULT = """
INSERT INTO control_results (evaluation_id, as_of, evaluated_at, framework, control_id, rule_id,
    rule_hash, subject_type, subject_id, status, reason, evidence_ref, backdated)
VALUES (?, ?, ?, ?, ?, ?, 'sha256:test', ?, ?, ?, ?, ?, false)
"""

ControlRows = dict[str, tuple[str, list[tuple[str, str, str]]]]


def evaluation_id_of(as_of: datetime) -> str:
    return f"{FRAMEWORK}@{as_of.isoformat().replace('+00:00', 'Z')}"


def insert_evaluation(
    warehouse: Warehouse,
    as_of: datetime,
    controls: ControlRows,
    run_id: str | None = None,
    subject_type: str = "registered_model",
) -> str:
    evaluation_id = evaluation_id_of(as_of)
    with warehouse.writer() as con:
        con.execute("BEGIN TRANSACTION")
        con.execute(
            "INSERT INTO control_evaluations (evaluation_id, framework, as_of, evaluated_at,"
            " run_id, trigger, rules_run, rules_failed, results) VALUES (?, ?, ?, ?, ?, 'run',"
            " 0, 0, 0)",
            [evaluation_id, FRAMEWORK, as_of, as_of, run_id],
        )
        for control_id, (status, rows) in controls.items():
            counts = {s: sum(1 for r in rows if r[2] == s) for s in {r[2] for r in rows}}
            counted = counts.get("pass", 0) + counts.get("fail", 0) + counts.get("stale", 0)
            con.execute(
                _INSERT_ROLL_UP,
                [
                    evaluation_id,
                    as_of,
                    as_of,
                    FRAMEWORK,
                    control_id,
                    len(rows),
                    counts.get("pass", 0),
                    counts.get("fail", 0),
                    counts.get("stale", 0),
                    counts.get("not_applicable", 0),
                    counts.get("error", 0),
                    counts.get("pass", 0) / counted if counted else None,
                    status,
                    sorted({r[0] for r in rows}),
                ],
            )
            for rule_id, subject_id, subject_status in rows:
                con.execute(
                    _INSERT_RESULT,
                    [
                        evaluation_id,
                        as_of,
                        as_of,
                        FRAMEWORK,
                        control_id,
                        rule_id,
                        subject_type,
                        subject_id,
                        subject_status,
                        f"{subject_id}: {subject_status} | see evidence",
                        f"mlflow:registered_model/{subject_id}",
                    ],
                )
        con.execute("COMMIT")
    return evaluation_id
