"""The configuration is stored only when it changed, and loaded once per process while its
files are unchanged (issue 5: fixed costs of every run)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from evidence_pipeline.controls import configuration as configuration_module
from evidence_pipeline.controls.assets import control_catalog
from evidence_pipeline.controls.configuration import (
    PROJECT_MAPPINGS_DIR,
    ControlConfiguration,
    load_configuration_once,
)
from evidence_pipeline.controls.evaluation import (
    configuration_is_stored,
    store_configuration,
    store_configuration_if_changed,
)
from evidence_pipeline.resources import WarehouseResource
from evidence_pipeline.settings import Settings

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_an_unchanged_configuration_is_not_written_again(
    con: duckdb.DuckDBPyConnection, configuration: ControlConfiguration
) -> None:
    assert not configuration_is_stored(con, configuration)
    assert store_configuration_if_changed(con, configuration, NOW)
    assert configuration_is_stored(con, configuration)
    assert not store_configuration_if_changed(con, configuration, NOW.replace(year=2027))
    loaded = con.execute("SELECT DISTINCT loaded_at FROM control_rule_mappings").fetchall()
    assert loaded == [(NOW,)]
    con.execute("UPDATE control_catalog SET threshold = 0.5 WHERE control_id = 'A.3.2'")
    assert not configuration_is_stored(con, configuration)
    store_configuration(con, configuration, NOW)
    assert configuration_is_stored(con, configuration)


def test_the_catalog_asset_publishes_only_a_changed_configuration(tmp_path: Path) -> None:
    resources = {"warehouse": WarehouseResource(path=str(tmp_path / "evidence.duckdb"))}
    first = dg.materialize([control_catalog], resources=resources)
    published = tmp_path / "evidence.duckdb"
    stamp = published.stat().st_mtime_ns
    second = dg.materialize([control_catalog], resources=resources)
    changed = [
        r.asset_materializations_for_node("evidence__control_catalog")[0]
        .metadata["configuration_changed"]
        .value
        for r in (first, second)
    ]
    assert changed == [True, False]
    assert published.stat().st_mtime_ns == stamp


def test_the_configuration_is_loaded_again_only_when_a_file_changed(tmp_path: Path) -> None:
    project = tmp_path / "mappings"
    shutil.copytree(PROJECT_MAPPINGS_DIR, project)
    first = load_configuration_once(Settings(), project_dir=project)
    assert load_configuration_once(Settings(), project_dir=project) is first
    rule = project / "rules" / "model_has_owner.sql"
    rule.write_text(rule.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    again = load_configuration_once(Settings(), project_dir=project)
    assert again is not first
    assert again.rules["A.3.2"][0].rule_hash != first.rules["A.3.2"][0].rule_hash
    configuration_module._last_loaded = None
