"""The MLflow ingestion multi-asset against a real `mlflow server`: history, reruns, faults."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import mlflow
import pandas as pd
import pytest

from connectors.mlflow_registry import MlflowRegistry
from evidence_pipeline.ingestion.mlflow.assets import mlflow_assets, mlflow_checks
from evidence_pipeline.ingestion.mlflow.ingest import ingest_registry
from evidence_pipeline.resources import MlflowResource, default_resources
from evidence_pipeline.warehouse.store import Warehouse
from tests.fixtures.mlflow_estate import MlflowEstate, build_estate
from tests.servers import MlflowServer, free_port

pytestmark = pytest.mark.slow

MODELS = dg.AssetKey(["raw", "mlflow_registered_models"])
VERSIONS = dg.AssetKey(["raw", "mlflow_model_versions"])
RUNS = dg.AssetKey(["raw", "mlflow_runs"])


@pytest.fixture
def estate(mlflow_server: MlflowServer) -> MlflowEstate:
    """A fresh estate per test (tests change it): model 0 has 3 versions, model 1 has 1."""
    return build_estate(mlflow_server.url, f"ing-{uuid.uuid4().hex[:8]}", (3, 1))


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, warehouse_path: Path):
    """Configure through the environment, as a user would; returns a setter for the URI."""
    monkeypatch.setenv("EVIDENCE_WAREHOUSE", str(warehouse_path))

    def use(tracking_uri: str) -> None:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)

    return use


def run_mlflow(raise_on_error: bool = True, **mlflow_config) -> dg.ExecuteInProcessResult:
    config = {"page_size": 2, "run_batch_size": 2, **mlflow_config}
    resources = {**default_resources(), "mlflow": MlflowResource(**config)}
    return dg.materialize(
        [*mlflow_assets, *mlflow_checks], resources=resources, raise_on_error=raise_on_error
    )


def metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict:
    (event,) = [m for m in result.get_asset_materialization_events() if m.asset_key == key]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def check_passed(result: dg.ExecuteInProcessResult) -> bool:
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "mlflow_records_add_up"
    return evaluation.passed


def query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def latest_observed_at(path: Path) -> datetime:
    return query(
        path,
        "SELECT started_at FROM ingestion_runs WHERE source = 'mlflow' ORDER BY started_at DESC",
    )[0][0]


def model_rows(path: Path, name: str) -> list[tuple]:
    return query(
        path,
        "SELECT tags, aliases, created_at, valid_from, valid_to, observed_at "
        "FROM mlflow_registered_models WHERE name = ? ORDER BY valid_from",
        [name],
    )


def version_rows(path: Path, name: str, version: str) -> list[tuple]:
    return query(
        path,
        "SELECT tags, aliases, created_at, valid_from, valid_to, observed_at "
        "FROM mlflow_model_versions WHERE name = ? AND version = ? ORDER BY valid_from",
        [name, version],
    )


def test_first_run_lands_the_registry_with_history_from_creation(
    estate: MlflowEstate, configured, warehouse_path: Path
) -> None:
    configured(estate.tracking_uri)
    result = run_mlflow()
    assert result.success and check_passed(result)

    ((tags, aliases, created_at, valid_from, valid_to, _),) = model_rows(
        warehouse_path, estate.model(0)
    )
    assert tags["risk_tier"] == "high"  # " High " trimmed and lower-cased
    assert tags["intended_use"] == "Credit limit recommendations"  # trimmed, case kept
    assert aliases == {"champion": "3"}
    assert valid_from == created_at and valid_to is None

    versions = query(
        warehouse_path,
        "SELECT version, tags['validation_status'], aliases, run_id, valid_from = created_at "
        "FROM mlflow_model_versions WHERE name = ? ORDER BY version",
        [estate.model(0)],
    )
    assert versions == [
        ("1", "passed", [], estate.run_ids[(estate.model(0), "1")], True),
        ("2", "passed", [], estate.run_ids[(estate.model(0), "2")], True),
        ("3", "passed", ["champion"], estate.run_ids[(estate.model(0), "3")], True),
    ]
    run_id = estate.run_ids[(estate.model(0), "3")]
    ((found, params, metrics),) = query(
        warehouse_path, "SELECT found, params, metrics FROM mlflow_runs WHERE run_id = ?", [run_id]
    )
    assert found and params["learning_rate"] == "0.05" and metrics == {"auc": 0.91}
    ((digest, context, source),) = query(
        warehouse_path,
        "SELECT digest, context, source FROM mlflow_run_dataset_inputs WHERE run_id = ?",
        [run_id],
    )
    assert digest and context == "training" and "training-data" in source

    models_meta = metadata(result, MODELS)
    assert models_meta["dagster/row_count"] >= 2
    assert isinstance(models_meta["dagster/column_schema"], dg.TableSchema)
    assert (
        f"[{estate.model(0)}]({estate.tracking_uri}/#/models/{estate.model(0)})"
        in (models_meta["changes"])
    )
    assert models_meta["mlflow_models_page"] == f"{estate.tracking_uri}/#/models"
    assert f"{estate.model(0)}/3" in metadata(result, VERSIONS)["changes"]
    ((status, read, landed, quarantined, skipped),) = query(
        warehouse_path,
        "SELECT status, records_read, rows_landed, quarantined, skipped FROM ingestion_runs",
    )
    assert status == "succeeded" and read == landed + quarantined + skipped and landed >= 10


def test_tag_and_alias_changes_open_rows_valid_from_the_run_that_saw_them(
    estate: MlflowEstate, configured, warehouse_path: Path
) -> None:
    configured(estate.tracking_uri)
    run_mlflow()
    client = estate.client
    # None of these moves an entry's last_updated_timestamp in MLflow.
    client.set_registered_model_tag(estate.model(0), "owner", "new-owner@example.com")
    client.set_registered_model_alias(estate.model(0), "challenger", "2")
    client.set_model_version_tag(estate.model(1), "1", "validation_status", "FAILED")

    result = run_mlflow()
    assert result.success and check_passed(result)
    seen_at = latest_observed_at(warehouse_path)

    first, second = model_rows(warehouse_path, estate.model(0))
    assert first[3] == first[2]  # still valid from the creation time
    assert first[4] == seen_at  # ... until the run that saw the change
    assert first[0]["owner"] == "team-credit@example.com"
    assert second[0]["owner"] == "new-owner@example.com"
    assert second[1] == {"champion": "3", "challenger": "2"}
    assert second[3] == seen_at and second[4] is None and second[5] == seen_at

    first, second = version_rows(warehouse_path, estate.model(0), "2")
    assert (first[1], second[1]) == ([], ["challenger"])
    assert first[3] == first[2] and first[4] == seen_at and second[3] == seen_at

    first, second = version_rows(warehouse_path, estate.model(1), "1")
    assert (first[0]["validation_status"], second[0]["validation_status"]) == ("passed", "failed")

    assert len(version_rows(warehouse_path, estate.model(0), "1")) == 1  # unchanged
    assert "changed" in metadata(result, VERSIONS)["changes"]


def test_deleted_entries_get_valid_to(estate: MlflowEstate, configured, warehouse_path) -> None:
    configured(estate.tracking_uri)
    run_mlflow()
    estate.client.delete_model_version(estate.model(0), "1")
    estate.client.delete_registered_model(estate.model(1))

    result = run_mlflow()
    assert result.success and check_passed(result)
    seen_at = latest_observed_at(warehouse_path)

    ((*_, valid_to, _),) = version_rows(warehouse_path, estate.model(0), "1")
    assert valid_to == seen_at
    ((*_, valid_to, _),) = version_rows(warehouse_path, estate.model(1), "1")
    assert valid_to == seen_at
    ((*_, valid_to, _),) = model_rows(warehouse_path, estate.model(1))
    assert valid_to == seen_at
    assert version_rows(warehouse_path, estate.model(0), "2")[0][4] is None  # still current
    assert metadata(result, VERSIONS)["entries_deleted"] == 2


def test_a_model_deleted_and_created_again_gets_new_rows_from_its_new_creation(
    estate: MlflowEstate, configured, warehouse_path
) -> None:
    """Same name, same tags, same version: still a new entry (MLflow's creation time tells),
    so the deleted one stops being valid where the new one begins."""
    configured(estate.tracking_uri)
    run_mlflow()
    client, name = estate.client, estate.model(1)
    model = client.get_registered_model(name)
    version = client.get_model_version(name, "1")
    client.delete_registered_model(name)
    time.sleep(0.05)
    client.create_registered_model(name, tags=model.tags)
    again = client.create_model_version(name, version.source, version.run_id, tags=version.tags)
    for alias, number in model.aliases.items():
        client.set_registered_model_alias(name, alias, number)
    created = datetime.fromtimestamp(
        client.get_registered_model(name).creation_timestamp / 1000, UTC
    )
    version_created = datetime.fromtimestamp(again.creation_timestamp / 1000, UTC)

    result = run_mlflow()
    assert result.success and check_passed(result)
    old, new = model_rows(warehouse_path, name)
    assert new[2] == created and new[3] == created and new[4] is None
    assert old[2] < created and old[4] == created
    old, new = version_rows(warehouse_path, name, "1")
    assert new[2] == version_created and new[3] == version_created and new[4] is None
    assert old[4] == version_created


def test_a_source_run_read_while_running_is_read_again_until_it_ends(
    estate: MlflowEstate, configured, warehouse_path
) -> None:
    """A version registered from inside its run: what the run logs afterwards (metrics, its
    dataset input, its end) reaches the warehouse, and a finished run is not read again."""
    configured(estate.tracking_uri)
    client = estate.client
    run = client.create_run(estate.experiment_id)  # RUNNING
    run_id = run.info.run_id
    version = estate.add_version(estate.model(1), run_id=run_id)
    assert run_mlflow().success
    rows = query(
        warehouse_path, "SELECT status, metrics FROM mlflow_runs WHERE run_id = ?", [run_id]
    )
    assert rows == [("RUNNING", {})]

    client.log_metric(run_id, "auc", 0.93)
    dataset = mlflow.data.from_pandas(
        pd.DataFrame({"x": [1, 2]}), source="s3://training-data/late.parquet", name="late"
    )
    client.log_inputs(run_id, [mlflow.entities.DatasetInput(dataset._to_mlflow_entity())])
    client.set_terminated(run_id)
    result = run_mlflow()
    assert result.success and check_passed(result)
    rows = query(
        warehouse_path, "SELECT status, metrics FROM mlflow_runs WHERE run_id = ?", [run_id]
    )
    assert rows == [("FINISHED", {"auc": 0.93})]
    assert query(
        warehouse_path,
        "SELECT dataset_name FROM mlflow_run_dataset_inputs WHERE run_id = ?",
        [run_id],
    ) == [("late",)]
    assert estate.versions[estate.model(1)][-1] == version

    again = run_mlflow()
    assert again.success and check_passed(again)
    assert metadata(again, RUNS)["run_requests"] == 0


def test_enumerated_tags_renamed_in_the_control_mappings_are_stored_in_lower_case(
    estate: MlflowEstate, configured, warehouse_path, tmp_path, monkeypatch
) -> None:
    """An installation that names its risk tier tag `ai_risk_tier` (EVIDENCE_MAPPINGS)."""
    extra = tmp_path / "mappings"
    (extra / "iso42001_2023" / "mappings").mkdir(parents=True)
    (extra / "iso42001_2023" / "mappings" / "local.yaml").write_text(
        "framework: iso42001_2023\n"
        "mappings:\n"
        "  - control: A.5.3\n"
        "    rules:\n"
        "      - rule: high_risk_model_has_current_impact_assessment\n"
        "        params:\n"
        "          risk_tier_tag: ai_risk_tier\n"
    )
    monkeypatch.setenv("EVIDENCE_MAPPINGS", str(extra))
    configured(estate.tracking_uri)
    estate.client.set_registered_model_tag(estate.model(1), "ai_risk_tier", " HIGH ")
    result = run_mlflow()
    assert result.success and check_passed(result)
    (row,) = model_rows(warehouse_path, estate.model(1))
    assert row[0]["ai_risk_tier"] == "high"


def test_an_older_snapshot_does_not_overwrite_what_a_later_ingestion_landed(
    estate: MlflowEstate, tmp_path: Path
) -> None:
    """Two ingestions overlap: the first reads the registry, the owner then changes, and a
    second ingestion reads and lands it before the first takes the writer lock."""
    store = Warehouse(tmp_path / "evidence.duckdb")
    name = estate.model(0)

    class ReadThenOvertaken(MlflowRegistry):
        def read(self, *args, **kwargs):
            snapshot = super().read(*args, **kwargs)
            estate.client.set_registered_model_tag(name, "owner", "bob@example.com")
            ingest_registry(store, MlflowRegistry(estate.tracking_uri))
            return snapshot

    older = ingest_registry(store, ReadThenOvertaken(estate.tracking_uri))
    assert older.tally.rows_landed == 0
    assert older.tally.skipped == older.tally.records_read > 0
    assert "not merged" in older.message
    current = query(
        store.published_path,
        "SELECT tags['owner'] FROM mlflow_registered_models WHERE name = ? AND valid_to IS NULL",
        [name],
    )
    assert current == [("bob@example.com",)]
    assert query(
        store.published_path,
        "SELECT count(*) FROM mlflow_registered_models WHERE valid_to < valid_from",
    ) == [(0,)]


def test_second_run_without_change_adds_no_row_and_fetches_no_run(
    estate: MlflowEstate, configured, warehouse_path: Path
) -> None:
    configured(estate.tracking_uri)
    first = run_mlflow()
    tables = ["mlflow_registered_models", "mlflow_model_versions", "mlflow_runs"]
    tables.append("mlflow_run_dataset_inputs")

    def counts() -> list[int]:
        return [query(warehouse_path, f"SELECT count(*) FROM {t}")[0][0] for t in tables]

    before = counts()
    assert metadata(first, RUNS)["runs_fetched"] >= 4

    second = run_mlflow()
    assert second.success and check_passed(second)
    assert counts() == before
    runs_meta = metadata(second, RUNS)
    assert runs_meta["runs_fetched"] == 0 and runs_meta["run_requests"] == 0
    assert runs_meta["rows_landed"] == 0 and runs_meta["skipped"] == runs_meta["records_read"]

    estate.add_version(estate.model(1))
    third = run_mlflow()
    third_meta = metadata(third, RUNS)
    assert third_meta["runs_fetched"] == 1, third_meta  # only the new version's run


def snapshot_of(path: Path, prefix: str) -> dict[str, list[tuple]]:
    """What a rerun must reproduce: every row of this estate, with the instants that depend on
    when a run happened replaced by whether they equal the entry's creation time."""
    like = prefix + "-%"
    return {
        "models": query(
            path,
            "SELECT name, description, tags, aliases, created_at, content_hash, "
            "valid_from = created_at, valid_to IS NULL FROM mlflow_registered_models "
            "WHERE name LIKE ? ORDER BY ALL",
            [like],
        ),
        "versions": query(
            path,
            "SELECT name, version, tags, aliases, status, run_id, created_at, content_hash, "
            "valid_from = created_at, valid_to IS NULL FROM mlflow_model_versions "
            "WHERE name LIKE ? ORDER BY ALL",
            [like],
        ),
        "runs": query(
            path,
            "SELECT r.run_id, r.found, r.params, r.metrics, r.tags FROM mlflow_runs r "
            "JOIN mlflow_model_versions v USING (run_id) WHERE v.name LIKE ? ORDER BY ALL",
            [like],
        ),
        "inputs": query(
            path,
            "SELECT d.run_id, d.dataset_name, d.digest, d.context FROM mlflow_run_dataset_inputs "
            "d JOIN mlflow_model_versions v USING (run_id) WHERE v.name LIKE ? ORDER BY ALL",
            [like],
        ),
    }


class InjectedCrash(RuntimeError):
    pass


def test_crash_before_commit_leaves_nothing_and_rerun_equals_a_clean_run(
    estate: MlflowEstate, tmp_path: Path
) -> None:
    crashed = Warehouse(tmp_path / "crashed" / "evidence.duckdb")
    clean = Warehouse(tmp_path / "clean" / "evidence.duckdb")
    registry = MlflowRegistry(estate.tracking_uri, page_size=2, run_batch_size=2)
    ingest_registry(crashed, registry)
    ingest_registry(clean, registry)

    estate.client.set_registered_model_tag(estate.model(0), "risk_tier", "Medium")
    estate.add_version(estate.model(1))
    estate.client.delete_model_version(estate.model(0), "1")
    before = snapshot_of(crashed.published_path, estate.prefix)
    runs_before = query(crashed.published_path, "SELECT count(*) FROM ingestion_runs")

    staged: list[int] = []

    def crash(con: duckdb.DuckDBPyConnection) -> None:
        # The snapshot is staged and merged inside the open transaction...
        staged.append(con.execute("SELECT count(*) FROM stage_model_versions").fetchone()[0])
        raise InjectedCrash("the process died before the commit")

    with pytest.raises(InjectedCrash):
        ingest_registry(crashed, registry, before_commit=crash)
    assert staged and staged[0] >= 4
    # ... and none of it stays behind.
    assert snapshot_of(crashed.published_path, estate.prefix) == before
    assert query(crashed.published_path, "SELECT count(*) FROM ingestion_runs") == runs_before

    rerun = ingest_registry(crashed, registry)
    ingest_registry(clean, registry)
    assert rerun.runs_fetched == 1
    assert snapshot_of(crashed.published_path, estate.prefix) == snapshot_of(
        clean.published_path, estate.prefix
    )
    assert snapshot_of(crashed.published_path, estate.prefix) != before


def test_unreachable_mlflow_fails_fast_and_names_the_endpoint(
    configured, warehouse_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # a closed loopback port
    configured(f"http://auditor:s3cret-pw@127.0.0.1:{port}")
    started = time.monotonic()
    result = run_mlflow(raise_on_error=False)
    elapsed = time.monotonic() - started

    assert not result.success
    assert elapsed < 30
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error, message = failure.event_specific_data.error, ""
    while error is not None:  # Dagster wraps the asset's exception: read the whole chain
        message, error = message + error.message, error.cause
    assert f"127.0.0.1:{port}" in message and "MLFLOW_TRACKING_URI" in message
    ((status, location, text),) = query(
        warehouse_path, "SELECT status, location, message FROM ingestion_runs"
    )
    assert status == "failed" and f"127.0.0.1:{port}" in location
    everything = str(result.all_events) + "".join(capfd.readouterr()) + location + text
    assert "s3cret-pw" not in everything


def test_password_in_tracking_uri_reaches_no_warehouse_metadata_or_log(
    estate: MlflowEstate,
    mlflow_server: MlflowServer,
    configured,
    warehouse_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "s3cret-" + uuid.uuid4().hex[:8]
    with_password = mlflow_server.url.replace("http://", f"http://user:{secret}@")
    configured(with_password)
    result = run_mlflow()
    assert result.success

    assert version_rows(warehouse_path, estate.model(0), "3")  # it did read the registry
    assert secret.encode() not in warehouse_path.read_bytes()
    meta = [metadata(result, key) for key in (MODELS, VERSIONS, RUNS)]
    assert "user:***@" in str(meta)
    logged = str(result.all_events) + "".join(capfd.readouterr()) + caplog.text
    assert secret not in str(meta) and secret not in logged
    ((location,),) = query(warehouse_path, "SELECT location FROM ingestion_runs")
    assert secret not in location and "127.0.0.1" in location


def test_unconfigured_mlflow_is_skipped_with_a_message(configured, warehouse_path: Path) -> None:
    result = run_mlflow()
    assert result.success and check_passed(result)
    assert metadata(result, MODELS)["status"] == "skipped"
    ((status, message),) = query(warehouse_path, "SELECT status, message FROM ingestion_runs")
    assert status == "skipped" and "MLFLOW_TRACKING_URI" in message


def test_local_sqlite_store(configured, warehouse_path: Path, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    estate = build_estate(uri, "local", (2, 1))
    configured(uri)
    result = run_mlflow()
    assert result.success and check_passed(result)
    rows = query(
        warehouse_path,
        "SELECT name, version, run_id IS NOT NULL FROM mlflow_model_versions ORDER BY ALL",
    )
    assert rows == [
        (estate.model(0), "1", True),
        (estate.model(0), "2", True),
        (estate.model(1), "1", True),
    ]
    assert query(warehouse_path, "SELECT count(*) FROM mlflow_runs WHERE found")[0][0] == 3
    assert "mlflow_models_page" not in metadata(result, MODELS)
    # The store's path is shown as configured (an absolute sqlite URI keeps its four slashes).
    assert query(warehouse_path, "SELECT location FROM ingestion_runs") == [(uri,)]


def test_version_whose_run_is_gone_lands_and_is_not_looked_up_again(
    estate: MlflowEstate, configured, warehouse_path: Path
) -> None:
    configured(estate.tracking_uri)
    gone = uuid.uuid4().hex
    version = estate.add_version(estate.model(1), run_id=gone)
    first = run_mlflow()
    assert first.success and check_passed(first)
    ((run_id,),) = query(
        warehouse_path,
        "SELECT run_id FROM mlflow_model_versions WHERE name = ? AND version = ?",
        [estate.model(1), version],
    )
    assert run_id == gone
    assert query(warehouse_path, "SELECT found FROM mlflow_runs WHERE run_id = ?", [gone]) == [
        (False,)
    ]
    assert metadata(first, RUNS)["runs_not_found"] >= 1

    second = run_mlflow()
    assert metadata(second, RUNS)["run_requests"] == 0


def test_uri_passwords_and_secret_values_in_registry_text_reach_no_warehouse_row(
    estate: MlflowEstate, configured, warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = "tok-" + uuid.uuid4().hex
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", token)
    configured(estate.tracking_uri)
    client = estate.client
    card = "https://reader:card-pw-1@wiki.example.com/cards/fraud"
    client.set_registered_model_tag(estate.model(0), "intended_use", f"scoring; token {token}")
    client.update_registered_model(estate.model(0), description=f"docs at {card}")
    client.set_model_version_tag(estate.model(0), "3", "model_card", card)
    client.update_model_version(estate.model(0), "3", description=f"token {token}")
    result = run_mlflow()
    assert result.success and check_passed(result)

    stored = warehouse_path.read_bytes()
    assert b"card-pw-1" not in stored and token.encode() not in stored
    ((tags,),) = query(
        warehouse_path,
        "SELECT tags FROM mlflow_model_versions WHERE name = ? AND version = '3'",
        [estate.model(0)],
    )
    assert tags["model_card"] == "https://reader:***@wiki.example.com/cards/fraud"
    ((tags, description),) = query(
        warehouse_path,
        "SELECT tags, description FROM mlflow_registered_models WHERE name = ?",
        [estate.model(0)],
    )
    assert tags["intended_use"] == "scoring; token ***"
    assert description == "docs at https://reader:***@wiki.example.com/cards/fraud"
