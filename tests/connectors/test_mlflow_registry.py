"""The MLflow registry connector against a real `mlflow server` and a real sqlite store."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from connectors.errors import SourceConfigurationError, SourceUnreachableError
from connectors.mlflow_registry import MlflowRegistry
from tests.fixtures.mlflow_estate import MlflowEstate, build_estate
from tests.servers import MlflowServer, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def estate(mlflow_server: MlflowServer) -> MlflowEstate:
    """Two models, four versions, each version with its own source run; shared read-only."""
    return build_estate(mlflow_server.url, f"conn-{uuid.uuid4().hex[:8]}", (3, 1))


def own_versions(snapshot, estate: MlflowEstate) -> dict[tuple[str, str], object]:
    return {
        (v.name, v.version): v
        for v in snapshot.model_versions
        if v.name.startswith(estate.prefix + "-")
    }


def test_snapshot_pages_past_one_page(estate: MlflowEstate) -> None:
    registry = MlflowRegistry(estate.tracking_uri, page_size=2)
    snapshot = registry.snapshot()

    versions = own_versions(snapshot, estate)
    assert set(versions) == {
        (estate.model(0), "1"),
        (estate.model(0), "2"),
        (estate.model(0), "3"),
        (estate.model(1), "1"),
    }
    # The 4 versions of this estate alone need 2 pages of 2; the 2 models at least one more.
    assert snapshot.requests >= 3
    assert len({(v.name, v.version) for v in snapshot.model_versions}) == len(
        snapshot.model_versions
    )
    latest = versions[(estate.model(0), "3")]
    assert latest.aliases == ["champion"]  # filled in from the registered model
    assert versions[(estate.model(0), "1")].aliases == []
    assert latest.run_id == estate.run_ids[(estate.model(0), "3")]
    assert latest.tags["validation_status"] == " PASSED "  # the connector reports, never edits
    model = next(m for m in snapshot.registered_models if m.name == estate.model(0))
    assert model.aliases == {"champion": "3"}
    assert model.tags["owner"] == "team-credit@example.com"
    assert model.created_at_ms and model.last_updated_at_ms


def test_source_runs_are_read_in_batches_with_their_dataset_inputs(estate: MlflowEstate) -> None:
    registry = MlflowRegistry(estate.tracking_uri, run_batch_size=2)
    unknown = uuid.uuid4().hex
    lookup = registry.source_runs([*estate.run_ids.values(), unknown])

    assert {r.run_id for r in lookup.runs} == set(estate.run_ids.values())
    assert lookup.missing_run_ids == [unknown]
    # One request for the experiments, then 5 ids in batches of 2: 3 requests, not 5; and
    # the experiments once more, in case the unknown run is in one created meanwhile.
    assert lookup.requests == 5
    run = lookup.runs[0]
    assert run.params == {"learning_rate": "0.05", "max_depth": "6"}
    assert run.metrics == {"auc": 0.91}
    assert run.tags["team"] == "credit-risk"
    (dataset,) = run.dataset_inputs
    assert dataset.digest and dataset.context == "training"
    assert dataset.source_type == "s3" and "s3://training-data/" in (dataset.source or "")


class _ListedBeforeTheNewestExperiment(MlflowRegistry):
    """The experiments as a read that began before the newest one was created listed them."""

    newest: str = ""
    listings = 0

    def _experiment_ids(self, api):
        self.listings += 1
        ids = super()._experiment_ids(api)
        return [i for i in ids if i != self.newest] if self.listings == 1 else ids


def test_a_run_in_an_experiment_created_during_the_read_is_found(estate: MlflowEstate) -> None:
    """Not recorded as not found for good: the experiments are listed again first."""
    experiment_id = estate.client.create_experiment(f"{estate.prefix}-late-{uuid.uuid4().hex}")
    run = estate.client.create_run(experiment_id)
    estate.client.set_terminated(run.info.run_id)
    registry = _ListedBeforeTheNewestExperiment(estate.tracking_uri, run_batch_size=2)
    registry.newest = experiment_id
    lookup = registry.source_runs([estate.run_ids[(estate.model(1), "1")], run.info.run_id])
    assert lookup.missing_run_ids == []
    assert {r.run_id for r in lookup.runs} == {
        estate.run_ids[(estate.model(1), "1")],
        run.info.run_id,
    }
    assert registry.listings == 2


def test_change_cursor_moves_when_the_registry_changes(estate: MlflowEstate) -> None:
    registry = MlflowRegistry(estate.tracking_uri, page_size=50)
    before = registry.change_cursor()
    assert registry.change_cursor() == before
    estate.client.set_registered_model_tag(estate.model(1), "cursor-probe", uuid.uuid4().hex)
    after_tag = registry.change_cursor()
    assert after_tag != before
    estate.add_version(estate.model(1))
    assert registry.change_cursor() != after_tag


def test_unreachable_server_fails_fast_naming_the_endpoint() -> None:
    port = free_port()  # nothing listens on it
    registry = MlflowRegistry(
        f"http://reader:s3cret-pw@127.0.0.1:{port}", max_retries=2, timeout_seconds=5
    )
    started = time.monotonic()
    with pytest.raises(SourceUnreachableError) as caught:
        registry.snapshot()
    elapsed = time.monotonic() - started

    assert elapsed < 30
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message
    assert "MLFLOW_TRACKING_URI" in message
    assert "s3cret-pw" not in message
    assert caught.value.__cause__ is None


def test_sqlite_store_is_read_like_a_server(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    estate = build_estate(uri, "local", (2,))
    snapshot = MlflowRegistry(uri, page_size=1).snapshot()
    assert {(v.name, v.version) for v in snapshot.model_versions} == {
        (estate.model(0), "1"),
        (estate.model(0), "2"),
    }
    lookup = MlflowRegistry(uri).source_runs(estate.run_ids.values())
    assert len(lookup.runs) == 2 and not lookup.missing_run_ids


def test_absent_sqlite_store_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    with pytest.raises(SourceUnreachableError, match="sqlite"):
        MlflowRegistry(f"sqlite:///{path}").snapshot()
    assert not path.exists()


def test_unsupported_uri_is_a_configuration_error() -> None:
    with pytest.raises(SourceConfigurationError, match="http"):
        MlflowRegistry("databricks://profile")


def test_rest_api_and_client_read_the_same_records(estate: MlflowEstate) -> None:
    """A tracking server is read through its REST API; MLflow's client gives the same records,
    deleted runs and unusual metric values included."""
    model = estate.model(1)
    version = estate.add_version(model)
    deleted_run = estate.run_ids[(model, version)]
    estate.client.log_metric(deleted_run, "drift", float("nan"))
    estate.client.log_metric(deleted_run, "bound", float("inf"))  # stored as the largest float
    estate.client.delete_run(deleted_run)
    estate.client.set_registered_model_alias(model, "challenger", version)

    rest = MlflowRegistry(estate.tracking_uri, page_size=3, run_batch_size=2)
    client = MlflowRegistry(estate.tracking_uri, page_size=3, run_batch_size=2, rest_api=False)
    assert rest.uses_rest_api and not client.uses_rest_api
    rest_snapshot, rest_runs = rest.read()
    client_snapshot, client_runs = client.read()

    def own(snapshot):
        models = sorted(
            (m for m in snapshot.registered_models if m.name.startswith(estate.prefix + "-")),
            key=lambda m: m.name,
        )
        versions = sorted(own_versions(snapshot, estate).items())
        return models, versions

    assert own(rest_snapshot) == own(client_snapshot)
    models, versions = own(rest_snapshot)
    assert {m.name: m.aliases for m in models}[model] == {"champion": "1", "challenger": version}
    assert dict(versions)[(model, version)].aliases == ["challenger"]

    wanted = set(estate.run_ids.values())
    rest_found = sorted((r for r in rest_runs.runs if r.run_id in wanted), key=lambda r: r.run_id)
    client_found = sorted(
        (r for r in client_runs.runs if r.run_id in wanted), key=lambda r: r.run_id
    )
    assert [r.run_id for r in rest_found] == sorted(wanted)
    # NaN is not equal to itself: compare the metrics as text.
    assert [(r, repr(r.metrics)) for r in rest_found if r.run_id != deleted_run] == [
        (r, repr(r.metrics)) for r in client_found if r.run_id != deleted_run
    ]
    rest_deleted = next(r for r in rest_found if r.run_id == deleted_run)
    client_deleted = next(r for r in client_found if r.run_id == deleted_run)
    assert rest_deleted.lifecycle_stage == client_deleted.lifecycle_stage == "deleted"
    assert repr(rest_deleted) == repr(client_deleted)
    assert rest_deleted.dataset_inputs and rest_deleted.dataset_inputs[0].context == "training"


def test_client_path_for_sqlite_and_for_authentication_the_rest_api_does_not_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not MlflowRegistry("sqlite:////tmp/x.db").uses_rest_api
    assert MlflowRegistry("http://127.0.0.1:5000").uses_rest_api
    monkeypatch.setenv("MLFLOW_TRACKING_AUTH", "some_plugin")
    assert not MlflowRegistry("http://127.0.0.1:5000").uses_rest_api


def test_rest_api_error_answer_is_unreachable_without_the_url(estate: MlflowEstate) -> None:
    """An answer that is not MLflow's (a wrong path behind the same host) fails like an
    unreachable server, naming the redacted endpoint only."""
    registry = MlflowRegistry(estate.tracking_uri.rstrip("/") + "/not-mlflow", max_retries=0)
    with pytest.raises(SourceUnreachableError) as caught:
        registry.snapshot()
    assert "not-mlflow" in str(caught.value) and caught.value.__cause__ is None


def _runs_of(lookup, run_ids) -> list[str]:
    return sorted(repr(r) for r in lookup.runs if r.run_id in run_ids)


def test_experiment_scan_and_id_searches_read_the_same_runs(estate: MlflowEstate) -> None:
    """Once `scan_min_runs` runs are wanted, `read` pages the experiments' runs instead of
    searching them by id; both give the same runs, and the same missing ids."""
    wanted = set(estate.run_ids.values())
    by_id = MlflowRegistry(estate.tracking_uri, run_batch_size=2, scan_min_runs=None)
    scan = MlflowRegistry(estate.tracking_uri, run_batch_size=2, scan_min_runs=1)
    client_scan = MlflowRegistry(
        estate.tracking_uri, run_batch_size=2, scan_min_runs=1, rest_api=False
    )
    _, by_id_runs = by_id.read()
    _, scan_runs = scan.read()
    _, client_scan_runs = client_scan.read()

    assert _runs_of(scan_runs, wanted) == _runs_of(by_id_runs, wanted)
    assert _runs_of(client_scan_runs, wanted) == _runs_of(by_id_runs, wanted)
    assert len(_runs_of(scan_runs, wanted)) == len(wanted)
    assert sorted(scan_runs.missing_run_ids) == sorted(by_id_runs.missing_run_ids)


def test_a_scan_split_by_run_id_reads_what_one_scan_reads(estate: MlflowEstate) -> None:
    """Split in 16 parts by the run id's first character and paged on three threads, the scan
    finds the same runs, and the same missing ids, as one scan in the server's order."""
    one = MlflowRegistry(estate.tracking_uri, scan_min_runs=1, scan_threads=1)
    split = MlflowRegistry(estate.tracking_uri, scan_min_runs=1, run_batch_size=1, scan_threads=3)
    _, one_runs = one.read()
    _, split_runs = split.read()

    assert sorted(map(repr, split_runs.runs)) == sorted(map(repr, one_runs.runs))
    assert sorted(split_runs.missing_run_ids) == sorted(one_runs.missing_run_ids)
    # The experiments, one page a part, and only the missing ids one by one: the parts found
    # every run (a run no part found would have been searched by id).
    assert split_runs.requests == 1 + 16 + len(split_runs.missing_run_ids)


def test_experiment_scan_stops_when_most_of_what_it_reads_is_not_wanted(
    estate: MlflowEstate,
) -> None:
    """A scan that reads more than 1.25 runs a wanted run (plus a page) stops, and the runs
    it did not reach are searched by id."""
    everything, _ = MlflowRegistry(estate.tracking_uri).read(fetch_runs=False)
    mine = {estate.run_ids[(estate.model(0), "1")], estate.run_ids[(estate.model(0), "2")]}
    known = {v.run_id for v in everything.model_versions if v.run_id} - mine
    for _ in range(6):  # runs no version comes from, so the scan has more to read than wanted
        estate.client.create_run(estate.experiment_id)

    registry = MlflowRegistry(
        estate.tracking_uri, run_batch_size=2, scan_min_runs=1, scan_page_size=1, scan_threads=1
    )
    _, lookup = registry.read(known_run_ids=known)

    assert {r.run_id for r in lookup.runs} >= mine
    assert _runs_of(lookup, mine) == _runs_of(
        MlflowRegistry(estate.tracking_uri).source_runs(mine), mine
    )
    # 1 experiments request, at most 1.25 * 2 + 1 runs scanned one a page plus the page that
    # crossed the line, then at most one search by id: far fewer than the runs on the server.
    assert lookup.requests <= 1 + 5 + 1
