"""The GX connector on real checkpoint output, the GX 0.x sample files and broken files."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.errors import SourceUnreachableError
from connectors.gx_results import (
    GxValidation,
    RejectedFile,
    list_result_files,
    parse_instant,
    read_result_file,
    read_result_files,
)
from connectors.locations import open_location
from evidence_pipeline.demo.gx_checkpoints import write_gx_validation_results
from tests.fixtures.gx import GX_V0_DIR
from tests.servers import free_port

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def gx_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A GX project after real checkpoint runs: (project dir, validations dir)."""
    project = tmp_path_factory.mktemp("gx-project")
    return project, write_gx_validation_results(project, now=NOW)


def _read_all(spec: str) -> list[GxValidation | RejectedFile]:
    location = open_location(spec)
    return [outcome for _, outcome in read_result_files(location, list_result_files(location))]


@pytest.mark.slow
def test_real_checkpoint_results_are_read_with_subject_suite_time_and_outcome(gx_project):
    _, validations_dir = gx_project
    outcomes = _read_all(str(validations_dir))

    assert outcomes and all(isinstance(o, GxValidation) for o in outcomes)
    seen = {(o.data_asset, o.suite_name, o.validated_at, o.success) for o in outcomes}
    assert seen == {
        ("warehouse/customers", "customers_quality", NOW - timedelta(days=2), True),
        ("warehouse/customers", "customers_quality", NOW - timedelta(hours=6), True),
        ("warehouse/transactions", "transactions_quality", NOW - timedelta(days=2), True),
        ("warehouse/transactions", "transactions_quality", NOW - timedelta(hours=6), False),
        ("warehouse/loan_applications", "loan_applications_quality", NOW - timedelta(days=1), True),
        (
            "warehouse/loan_applications",
            "loan_applications_fairness",
            NOW - timedelta(days=1),
            False,
        ),
        (
            "feature_store/credit_features",
            "credit_features_quality",
            NOW - timedelta(days=10),
            True,
        ),
    }
    failing = next(o for o in outcomes if o.suite_name == "transactions_quality" and not o.success)
    assert failing.gx_format == "1.x"
    assert failing.gx_version == "1.24.1"
    assert sorted(failing.failed_expectations) == [
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
    ]
    assert failing.evaluated_expectations == 4
    assert failing.unsuccessful_expectations == 2
    assert failing.success_percent == pytest.approx(50.0)
    assert len({o.validation_id for o in outcomes}) == len(outcomes)


def test_gx_0x_files_are_read():
    outcomes = {o.suite_name: o for o in _read_all(str(GX_V0_DIR))}

    taxi = outcomes["taxi_suite_1"]
    assert taxi.gx_format == "0.x"
    assert taxi.data_asset == "pandas/taxi_data_1.csv"
    # meta.validation_time (compact form) wins over meta.run_id.run_time
    assert taxi.validated_at == datetime(2022, 7, 27, 15, 43, 27, 701100, tzinfo=UTC)
    assert taxi.success is False
    assert taxi.failed_expectations == ["expect_column_values_to_be_between"]
    assert taxi.success_percent == pytest.approx(66.666, rel=1e-3)

    legacy = outcomes["npi.warning"]
    assert legacy.data_asset == "files_datasource/npi"
    assert legacy.validated_at == datetime(2020, 1, 15, 10, 15, tzinfo=UTC)
    assert legacy.success is True


def test_instants_in_both_gx_forms_are_utc():
    assert parse_instant("20261120T030000.000000Z") == datetime(2026, 11, 20, 3, tzinfo=UTC)
    assert parse_instant("2026-11-20T05:00:00+02:00") == datetime(2026, 11, 20, 3, tzinfo=UTC)
    with pytest.raises(ValueError, match="unparsable"):
        parse_instant("yesterday")


@pytest.mark.slow
def test_files_that_are_not_usable_validation_results_are_rejected_with_the_reason(gx_project):
    project, validations_dir = gx_project
    good = next(validations_dir.rglob("*.json")).read_bytes()
    suite = (project / "gx" / "expectations" / "customers_quality.json").read_bytes()
    checkpoint = next((project / "gx" / "checkpoints").glob("*.json")).read_bytes()
    no_asset = good.replace(b'"data_asset_name"', b'"renamed_asset_name"')
    cases = {
        "suite": (suite, "an expectation suite ('customers_quality')"),
        "checkpoint": (checkpoint, "a checkpoint configuration"),
        "truncated": (good[: len(good) // 2], "truncated JSON"),
        "syntax": (good.replace(b'"success"', b"'success'", 1), "invalid JSON"),
        "latin1": (good.replace(b"meta", "mëta".encode("latin-1"), 1), "not UTF-8 text"),
        "array": (b"[1, 2, 3]", "the file holds a JSON array"),
        "empty": (b"", "empty file"),
        "no_asset": (no_asset, "without a data asset"),
    }
    for name, (data, reason) in cases.items():
        outcome = read_result_file(data, f"/store/{name}.json")
        assert isinstance(outcome, RejectedFile), name
        assert reason in outcome.reason, (name, outcome.reason)
        assert outcome.source_uri == f"/store/{name}.json"
    latin1 = read_result_file(cases["latin1"][0], "/store/latin1.json")
    assert "\ufffd" in latin1.raw  # kept as far as it decodes


@pytest.mark.slow
def test_s3_prefix_is_listed_recursively_and_read(gx_project, s3_client, s3_bucket):
    _, validations_dir = gx_project
    local = sorted(validations_dir.rglob("*.json"))
    for path in local:
        key = f"team-a/gx/{path.relative_to(validations_dir)}"
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=path.read_bytes())
    s3_client.put_object(Bucket=s3_bucket, Key="team-a/gx/.ge_store_backend_id", Body=b"x")
    s3_client.put_object(Bucket=s3_bucket, Key="elsewhere/other.json", Body=b"{}")

    outcomes = _read_all(f"s3://{s3_bucket}/team-a/gx")

    assert len(outcomes) == len(local)
    assert all(isinstance(o, GxValidation) for o in outcomes)
    assert all(o.source_uri.startswith(f"s3://{s3_bucket}/team-a/gx/") for o in outcomes)
    from_disk = {o.validation_id for o in _read_all(str(validations_dir))}
    assert {o.validation_id for o in outcomes} == from_disk


def test_unreachable_s3_fails_fast_naming_the_endpoint(monkeypatch):
    endpoint = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    location = open_location("s3://evidence/gx")

    started = time.monotonic()
    with pytest.raises(SourceUnreachableError) as raised:
        list(list_result_files(location))

    assert time.monotonic() - started < 30
    assert endpoint in str(raised.value)
    assert "test-secret-key" not in str(raised.value)


def test_a_missing_directory_is_reported_not_silently_empty(tmp_path):
    with pytest.raises(SourceUnreachableError, match="does-not-exist"):
        _read_all(str(tmp_path / "does-not-exist"))


def test_identical_copies_share_a_validation_id(tmp_path):
    shutil.copytree(GX_V0_DIR, tmp_path / "a")
    shutil.copytree(GX_V0_DIR, tmp_path / "b")
    outcomes = _read_all(str(tmp_path))
    assert len(outcomes) == 4
    assert len({o.validation_id for o in outcomes}) == 2


def test_rejected_text_is_kept_without_secrets(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "tok-very-secret-123")
    text = (
        b'{"name": "orders", "expectations": [], "meta": {"source": '
        b'"postgresql://etl:hunter2@db.internal/orders", "token": "tok-very-secret-123"}}'
    )
    outcome = read_result_file(text, "/store/orders.json")

    assert isinstance(outcome, RejectedFile)
    assert "hunter2" not in outcome.raw and "tok-very-secret-123" not in outcome.raw
    assert "postgresql://etl:***@db.internal/orders" in outcome.raw


def test_odd_shapes_inside_a_result_are_rejected_or_read_never_raised():
    def result(**changes) -> dict:
        document = {
            "success": False,
            "statistics": {},
            "suite_name": "customers_quality",
            "results": [{"success": False, "expectation_config": {"type": "expect_x"}}],
            "meta": {
                "active_batch_definition": {
                    "datasource_name": "warehouse",
                    "data_asset_name": "customers",
                },
                "validation_time": "2026-06-01T00:00:00+00:00",
            },
        }
        document.update(changes)
        return document

    odd_config = result(results=[{"success": False, "expectation_config": "expect_x"}])
    read = read_result_file(json.dumps(odd_config).encode(), "s3://b/a.json")
    assert isinstance(read, GxValidation) and read.failed_expectations == ["unknown"]

    meta = result()["meta"]
    meta["active_batch_definition"]["datasource_name"] = {"name": "warehouse"}
    odd_name = read_result_file(json.dumps(result(meta=meta)).encode(), "s3://b/b.json")
    assert isinstance(odd_name, RejectedFile)
    assert odd_name.reason.startswith("validation result without a data asset")

    assert parse_instant("20220727T154327Z") == datetime(2022, 7, 27, 15, 43, 27, tzinfo=UTC)


@pytest.mark.slow
def test_a_result_holding_infinity_or_nan_as_gx_writes_them_is_read(gx_project, tmp_path):
    """GX saves results with Python's json.dumps, which writes bare Infinity and NaN (an
    observed value of a float column holding inf): the result is read, not quarantined."""
    _, validations_dir = gx_project
    source = next(validations_dir.rglob("*.json"))
    document = json.loads(source.read_bytes())
    document["results"][0]["result"]["observed_value"] = float("inf")
    document["results"][0]["result"]["partial_unexpected_list"] = [float("nan"), -float("inf")]
    data = json.dumps(document, indent=2).encode()
    assert b"Infinity" in data and b"NaN" in data
    outcome = read_result_file(data, str(tmp_path / "with-infinity.json"))
    assert isinstance(outcome, GxValidation)
    assert outcome.success == document["success"]
    assert isinstance(read_result_file(b'{"results": [,]}', "x.json"), RejectedFile)


def test_a_file_gone_since_the_listing_is_quarantined_and_a_dangling_link_skipped(tmp_path):
    results = tmp_path / "validations"
    (results / "suite").mkdir(parents=True)
    kept = GX_V0_DIR.glob("**/*.json")
    shutil.copy(next(kept), results / "suite" / "a.json")
    (results / "suite" / "b.json").write_text("{}")
    (results / "suite" / "dangling.json").symlink_to(results / "nowhere.json")
    location = open_location(str(results))
    listed = list(list_result_files(location))
    assert [obj.key for obj in listed] == ["suite/a.json", "suite/b.json"]
    (results / "suite" / "b.json").unlink()
    outcomes = [outcome for _, outcome in read_result_files(location, listed)]
    assert isinstance(outcomes[0], GxValidation)
    assert isinstance(outcomes[1], RejectedFile)
    assert "cannot be read" in outcomes[1].reason
