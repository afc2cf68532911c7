"""Loading the catalog, mappings, rules and attestations: every error names the file (and the
line, for YAML); EVIDENCE_MAPPINGS directories add rules and override thresholds and params."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evidence_pipeline.controls.configuration import PROJECT_MAPPINGS_DIR, load_configuration
from evidence_pipeline.controls.errors import ControlConfigurationError
from evidence_pipeline.controls.evaluation import evaluate
from evidence_pipeline.settings import Settings
from tests.evidence_pipeline.controls.estate import Estate, at
from tests.evidence_pipeline.controls.evaluating import only_controls

AS_OF = at("2026-06-30T12:00:00Z")
GOOD_RULE = """-- Every model, as a test.
SELECT 'registered_model' AS subject_type, name AS subject_id, $verdict AS status,
       'test' AS reason, evidence_ref
FROM registered_models_as_of
"""


def _extra(tmp_path: Path, mapping: str | None = None, **rules: str) -> Path:
    """An EVIDENCE_MAPPINGS directory with one mapping file and the given rules."""
    directory = tmp_path / "extra"
    (directory / "rules").mkdir(parents=True, exist_ok=True)
    (directory / "iso42001_2023" / "mappings").mkdir(parents=True, exist_ok=True)
    for rule_id, sql in rules.items():
        (directory / "rules" / f"{rule_id}.sql").write_text(sql, encoding="utf-8")
    if mapping is not None:
        (directory / "iso42001_2023" / "mappings" / "local.yaml").write_text(
            mapping, encoding="utf-8"
        )
    return directory


def _load(directory: Path) -> None:
    load_configuration(Settings(mappings_dirs=(directory,)))


def _error(directory: Path) -> str:
    with pytest.raises(ControlConfigurationError) as caught:
        _load(directory)
    return str(caught.value)


def test_unknown_control_id_names_file_and_line(tmp_path: Path) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    rules: []\n"
        "  - control: A.4.1\n    rules: []\n",
    )
    message = _error(directory)
    assert "local.yaml:5: unknown control id A.4.1" in message


def test_missing_query_file_names_file_and_line(tmp_path: Path) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    rules:\n"
        "      - rule: model_has_a_unicorn\n",
    )
    message = _error(directory)
    assert "local.yaml:5: rule model_has_a_unicorn: no query file" in message


def test_query_without_the_required_columns_names_the_rule_file(tmp_path: Path) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    rules:\n"
        "      - rule: model_listed\n",
        model_listed="SELECT name AS subject_id, 'pass' AS status FROM registered_models_as_of",
    )
    message = _error(directory)
    assert "model_listed.sql" in message
    assert "subject_type, reason, evidence_ref" in message


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELEC nothing", "does not parse"),
        ("SELECT 1; SELECT 2", "exactly one SELECT"),
        ("CREATE TABLE x AS SELECT 1", "exactly one SELECT"),
        ("SELECT * FROM no_such_table", "fails on an empty warehouse"),
    ],
)
def test_broken_queries_are_refused_on_load(tmp_path: Path, sql: str, expected: str) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    rules:\n"
        "      - rule: broken\n",
        broken=sql,
    )
    message = _error(directory)
    assert "broken.sql" in message and expected in message


def test_parameters_must_match_the_query(tmp_path: Path) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    rules:\n"
        "      - rule: verdict\n        params: {verdit: pass}\n",
        verdict=GOOD_RULE,
    )
    message = _error(directory)
    assert "local.yaml:5: rule verdict uses $verdict" in message
    assert "does not use parameter 'verdit'" in message


def test_a_mapping_cannot_set_the_evaluation_instant(tmp_path: Path) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    rules:\n"
        "      - rule: model_has_owner\n        params: {as_of: '2020-01-01'}\n",
    )
    assert "parameter 'as_of' is set by the engine" in _error(directory)


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    directory = _extra(
        tmp_path, "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    rules: [\n"
    )
    message = _error(directory)
    assert "local.yaml:" in message and "bad YAML" in message


def test_a_misspelt_field_names_file_and_line(tmp_path: Path) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    treshold: 0.5\n",
    )
    message = _error(directory)
    assert "local.yaml:4: mappings.0.treshold" in message


def test_catalog_errors_name_file_and_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(PROJECT_MAPPINGS_DIR / "rules", project / "rules")
    (project / "iso42001_2023").mkdir()
    (project / "iso42001_2023" / "catalog.yaml").write_text(
        "framework: iso42001_2023\nobjectives:\n  - id: A.2\n    title: Policies\n"
        "    controls:\n      - id: A.2.2\n        title: AI policy\n"
        "        description: A policy.\n        automation: sometimes\n"
        "        justification: Needed.\n      - id: A.3.2\n        title: Roles\n"
        "        description: Owners.\n        automation: partial\n"
        "        justification: Needed.\n",
        encoding="utf-8",
    )
    with pytest.raises(ControlConfigurationError) as caught:
        load_configuration(Settings(), project_dir=project)
    message = str(caught.value)
    assert "catalog.yaml:9: objectives.0.controls.0.automation" in message


def test_status_outside_the_vocabulary_is_an_error_row(tmp_path: Path, con, estate: Estate) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n  - control: A.3.2\n    rules:\n"
        "      - rule: verdict\n        params: {verdict: compliant}\n",
        verdict=GOOD_RULE,
    )
    configuration = load_configuration(Settings(mappings_dirs=(directory,)))
    estate.model("fraud", {"owner": "ann"})
    evaluate(con, only_controls(configuration, "A.3.2"), AS_OF)
    rows = con.execute(
        "SELECT rule_id, status, reason FROM control_results ORDER BY rule_id"
    ).fetchall()
    assert rows[0][0] == "model_has_owner" and rows[0][1] == "pass"
    assert rows[1][:2] == ("verdict", "error")
    assert "status 'compliant'" in rows[1][2]
    status = con.execute(
        "SELECT status FROM control_status_current WHERE control_id = 'A.3.2'"
    ).fetchone()
    assert status == ("error",)


def test_extra_directories_add_rules_and_override_thresholds_and_params(
    tmp_path: Path, con, estate: Estate
) -> None:
    directory = _extra(
        tmp_path,
        "framework: iso42001_2023\nmappings:\n"
        "  - control: A.3.2\n    threshold: 0.5\n    rules:\n"
        "      - rule: model_has_owner\n        params: {owner_tag: team}\n"
        "  - control: A.9.4\n    rules:\n"
        "      - rule: model_has_intended_use\n        enabled: false\n"
        "      - rule: verdict\n        params: {verdict: pass}\n",
        verdict=GOOD_RULE,
    )
    configuration = load_configuration(Settings(mappings_dirs=(directory,)))
    project = load_configuration(Settings())
    assert configuration.thresholds["A.3.2"] == 0.5
    assert configuration.rules_of("A.3.2")[0].params == {"owner_tag": "team"}
    assert configuration.rules_of("A.3.2")[0].rule_hash != project.rules_of("A.3.2")[0].rule_hash
    assert [r.rule_id for r in configuration.rules_of("A.9.4")] == ["verdict"]
    estate.model("a", {"team": "risk", "owner": ""})
    estate.model("b", {"owner": "ann"})
    evaluate(con, only_controls(configuration, "A.3.2", "A.9.4"), AS_OF)
    rows = dict(
        con.execute(
            "SELECT subject_id, status FROM control_results WHERE rule_id = 'model_has_owner'"
        ).fetchall()
    )
    assert rows == {"a": "pass", "b": "fail"}
    statuses = dict(
        con.execute(
            "SELECT control_id, status FROM control_effectiveness "
            "WHERE control_id IN ('A.3.2', 'A.9.4')"
        ).fetchall()
    )
    assert statuses == {"A.3.2": "partially_effective", "A.9.4": "effective"}


def test_evidence_mappings_directory_must_exist(tmp_path: Path) -> None:
    message = _error(tmp_path / "nowhere")
    assert "nowhere" in message and "does not exist" in message


def test_attestation_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "attestations.yaml"
    path.write_text(
        "attestations:\n"
        "  - control: A.2.2\n    statement: Policy approved.\n    evidence_ref: doc-1\n"
        "    attested_by: jane\n    attested_at: 2026-01-15T10:00:00\n"
        "    valid_until: 2027-01-15T00:00:00Z\n"
        "  - control: A.99.1\n    statement: x\n    evidence_ref: y\n    attested_by: z\n"
        "    attested_at: 2026-01-15T10:00:00Z\n    valid_until: 2027-01-15T00:00:00Z\n",
        encoding="utf-8",
    )
    with pytest.raises(ControlConfigurationError) as caught:
        load_configuration(Settings(attestations=path))
    message = str(caught.value)
    assert "attestations.yaml:6: attestations.0.attested_at" in message
    path.write_text(
        path.read_text().replace("2026-01-15T10:00:00\n", "2026-01-15T10:00:00Z\n"), "utf-8"
    )
    with pytest.raises(ControlConfigurationError, match=r"attestations.yaml:8: unknown control"):
        load_configuration(Settings(attestations=path))
