"""A rule reads the warehouse and nothing else: reading a file or the network gives an error
row for that rule, while every other rule is evaluated."""

from __future__ import annotations

from pathlib import Path

from evidence_pipeline.controls.configuration import load_configuration
from evidence_pipeline.controls.evaluation import evaluate
from evidence_pipeline.settings import Settings
from evidence_pipeline.warehouse.store import Warehouse
from tests.evidence_pipeline.controls.estate import Estate, at
from tests.evidence_pipeline.controls.evaluating import only_controls

AS_OF = at("2026-06-30T12:00:00Z")
ESCAPES = {
    "reads_a_file": "SELECT 'registered_model' AS subject_type, column0 AS subject_id, "
    "'pass' AS status, '' AS reason, '' AS evidence_ref FROM read_csv('/etc/passwd')",
    "reads_a_file_as_text": "SELECT 'registered_model' AS subject_type, content AS subject_id, "
    "'pass' AS status, '' AS reason, '' AS evidence_ref FROM read_text('/etc/hostname')",
    "reads_the_network": "SELECT 'registered_model' AS subject_type, a AS subject_id, "
    "'pass' AS status, '' AS reason, '' AS evidence_ref "
    "FROM read_csv('http://127.0.0.1:9/models.csv')",
}


def _escaping_mappings(tmp_path: Path) -> Path:
    directory = tmp_path / "extra"
    (directory / "rules").mkdir(parents=True)
    (directory / "iso42001_2023" / "mappings").mkdir(parents=True)
    for rule_id, sql in ESCAPES.items():
        (directory / "rules" / f"{rule_id}.sql").write_text(sql, encoding="utf-8")
    rules = "".join(f"      - rule: {rule_id}\n" for rule_id in ESCAPES)
    (directory / "iso42001_2023" / "mappings" / "escape.yaml").write_text(
        f"framework: iso42001_2023\nmappings:\n  - control: A.2.3\n    rules:\n{rules}",
        encoding="utf-8",
    )
    return directory


def _check_contained(con) -> None:
    rows = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT rule_id, subject_id, status, reason FROM control_results "
            "WHERE control_id = 'A.2.3'"
        ).fetchall()
    }
    assert set(rows) == set(ESCAPES)
    for subject_id, status, reason in rows.values():
        assert (subject_id, status) == ("*", "error")
        assert "outside the warehouse" in reason
    statuses = dict(
        con.execute(
            "SELECT control_id, status FROM control_effectiveness "
            "WHERE control_id IN ('A.2.3', 'A.3.2')"
        ).fetchall()
    )
    assert statuses == {"A.2.3": "error", "A.3.2": "effective"}


def test_a_rule_cannot_read_files_or_the_network(tmp_path: Path, con, estate: Estate) -> None:
    configuration = load_configuration(Settings(mappings_dirs=(_escaping_mappings(tmp_path),)))
    estate.model("fraud", {"owner": "ann"})
    summary = evaluate(con, only_controls(configuration, "A.2.3", "A.3.2"), AS_OF)
    assert set(summary.failed_rules) == set(ESCAPES)
    _check_contained(con)


def test_external_access_is_disabled_on_the_file_warehouse_too(tmp_path: Path) -> None:
    configuration = load_configuration(Settings(mappings_dirs=(_escaping_mappings(tmp_path),)))
    warehouse = Warehouse(path=tmp_path / "evidence.duckdb")
    with warehouse.writer() as con:
        Estate(con).model("fraud", {"owner": "ann"})
        evaluate(con, only_controls(configuration, "A.2.3", "A.3.2"), AS_OF)
    with warehouse.reader() as con:
        _check_contained(con)
