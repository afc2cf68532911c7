"""The `raw/gx_validations` asset over real checkpoint output, from a directory and from S3."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from connectors.errors import SourceUnreachableError
from evidence_pipeline.demo.gx_checkpoints import write_gx_validation_results
from evidence_pipeline.ingestion.gx.assets import gx_assets, gx_checks
from evidence_pipeline.resources import default_resources
from tests.fixtures.gx import GX_V0_DIR
from tests.servers import free_port

pytestmark = pytest.mark.slow  # GX itself takes ~6 s to import, once per module

ASSET_KEY = dg.AssetKey(["raw", "gx_validations"])
EXPECTED = {
    ("warehouse/customers", "customers_quality", True),
    ("warehouse/transactions", "transactions_quality", True),
    ("warehouse/transactions", "transactions_quality", False),
    ("warehouse/loan_applications", "loan_applications_quality", True),
    ("warehouse/loan_applications", "loan_applications_fairness", False),
    ("feature_store/credit_features", "credit_features_quality", True),
}


@pytest.fixture(scope="module")
def gx_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Real checkpoint runs, once for the module: (project dir, validations dir)."""
    project = tmp_path_factory.mktemp("gx-project")
    return project, write_gx_validation_results(project, now=datetime.now(UTC))


@pytest.fixture
def results_dir(gx_project, tmp_path: Path) -> Path:
    """A private copy of the real results, which a test may add to or alter."""
    target = tmp_path / "gx" / "uncommitted" / "validations"
    shutil.copytree(gx_project[1], target)
    return target


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, warehouse_path: Path):
    """Configure through the environment, as a user would; returns a function to set the store."""
    monkeypatch.setenv("EVIDENCE_WAREHOUSE", str(warehouse_path))

    def use(store: str | Path) -> None:
        monkeypatch.setenv("EVIDENCE_GX_RESULTS", str(store))

    return use


def run_gx(raise_on_error: bool = True) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*gx_assets, *gx_checks], resources=default_resources(), raise_on_error=raise_on_error
    )


def metadata(result: dg.ExecuteInProcessResult) -> dict:
    event = result.asset_materializations_for_node("raw__gx_validations")[0]
    return {key: value.value for key, value in event.metadata.items()}


def check_passed(result: dg.ExecuteInProcessResult) -> bool:
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "gx_records_add_up"
    return evaluation.passed


def query(warehouse_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_directory_results_land_one_row_per_validation(configured, results_dir, warehouse_path):
    configured(results_dir)

    result = run_gx()

    rows = query(warehouse_path, "SELECT data_asset, suite_name, success FROM gx_validations")
    assert len(rows) == 7
    assert set(rows) == EXPECTED
    assert check_passed(result)
    facts = metadata(result)
    assert (facts["records_read"], facts["rows_landed"], facts["quarantined"]) == (7, 7, 0)
    assert facts["dagster/row_count"] == 7
    assert "warehouse/transactions" in facts["new_validations"]
    assert "expect_column_values_to_be_in_set" in facts["new_validations"]
    runs = query(
        warehouse_path,
        "SELECT status, records_read, rows_landed, quarantined, skipped FROM ingestion_runs "
        "WHERE source = 'gx'",
    )
    assert runs == [("succeeded", 7, 7, 0, 0)]
    (uri,) = query(warehouse_path, "SELECT min(source_uri) FROM gx_validations")[0]
    assert uri.startswith(str(results_dir))


def test_second_run_reads_no_file_again_and_adds_no_row(configured, results_dir, warehouse_path):
    configured(results_dir)
    run_gx()
    before = query(warehouse_path, "SELECT count(*) FROM gx_validations")[0][0]

    # Overwrite one file with garbage of the same size and put its mtime back: a run that
    # read it again would quarantine it.
    victim = next(results_dir.rglob("*.json"))
    stat = victim.stat()
    victim.write_bytes(b"x" * stat.st_size)
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = run_gx()

    facts = metadata(second)
    assert (facts["objects_listed"], facts["objects_read"], facts["records_read"]) == (7, 0, 0)
    assert query(warehouse_path, "SELECT count(*) FROM gx_validations")[0][0] == before
    assert query(warehouse_path, "SELECT count(*) FROM quarantine")[0][0] == 0
    assert check_passed(second)

    # A new file is read, and only it.
    shutil.copy(GX_V0_DIR / "taxi_suite_1-20220727T154327.701100Z.json", results_dir / "v0.json")
    third = run_gx()
    assert (metadata(third)["objects_read"], metadata(third)["rows_landed"]) == (1, 1)
    assert query(warehouse_path, "SELECT count(*) FROM gx_validations")[0][0] == before + 1


def test_gx_0x_files_land_beside_1x_results(configured, results_dir, warehouse_path):
    shutil.copytree(GX_V0_DIR, results_dir / "legacy")
    configured(results_dir)

    run_gx()

    rows = query(
        warehouse_path,
        "SELECT data_asset, suite_name, validated_at, success, failed_expectations "
        "FROM gx_validations WHERE gx_format = '0.x' ORDER BY suite_name",
    )
    assert rows == [
        (
            "files_datasource/npi",
            "npi.warning",
            datetime(2020, 1, 15, 10, 15, tzinfo=UTC),
            True,
            [],
        ),
        (
            "pandas/taxi_data_1.csv",
            "taxi_suite_1",
            datetime(2022, 7, 27, 15, 43, 27, 701100, tzinfo=UTC),
            False,
            ["expect_column_values_to_be_between"],
        ),
    ]


def test_bad_files_are_quarantined_with_their_reason_and_good_files_land(
    configured, gx_project, results_dir, warehouse_path
):
    project, _ = gx_project
    good = sorted(results_dir.rglob("*.json"))
    bad_dir = results_dir / "bad"
    bad_dir.mkdir()
    shutil.copy(project / "gx" / "expectations" / "customers_quality.json", bad_dir / "suite.json")
    data = good[0].read_bytes()
    (bad_dir / "truncated.json").write_bytes(data[: len(data) // 3])
    (bad_dir / "syntax.json").write_bytes(data.replace(b'"success"', b"'success'", 1))
    (bad_dir / "latin1.json").write_bytes(data.replace(b"meta", "mëta".encode("latin-1"), 1))
    (bad_dir / "no_time.json").write_bytes(
        data.replace(b'"validation_time"', b'"when"').replace(b'"run_time"', b'"at"')
    )
    shutil.copy(good[1], results_dir / "duplicate-of-a-good-file.json")
    configured(results_dir)

    result = run_gx()

    assert query(warehouse_path, "SELECT count(*) FROM gx_validations")[0][0] == 7
    quarantined = dict(
        query(
            warehouse_path,
            "SELECT location, error FROM quarantine WHERE source = 'gx' AND line IS NULL",
        )
    )
    reasons = {Path(location).name: error for location, error in quarantined.items()}
    assert set(reasons) == {
        "suite.json",
        "truncated.json",
        "syntax.json",
        "latin1.json",
        "no_time.json",
    }
    assert "expectation suite" in reasons["suite.json"]
    assert "truncated" in reasons["truncated.json"]
    assert "invalid JSON" in reasons["syntax.json"]
    assert "not UTF-8" in reasons["latin1.json"]
    assert "without a usable time" in reasons["no_time.json"]
    raw = query(warehouse_path, "SELECT raw FROM quarantine WHERE location LIKE '%suite.json'")
    assert "customers_quality" in raw[0][0]

    facts = metadata(result)
    assert (facts["records_read"], facts["rows_landed"]) == (13, 7)
    assert (facts["quarantined"], facts["skipped"]) == (5, 1)
    assert check_passed(result)

    second = run_gx()
    assert metadata(second)["objects_read"] == 0
    assert query(warehouse_path, "SELECT count(*) FROM quarantine")[0][0] == 5


def test_s3_results_are_ingested_incrementally_by_key_and_etag(
    configured, gx_project, s3_client, s3_bucket, warehouse_path
):
    _, validations_dir = gx_project
    keys = []
    for path in sorted(validations_dir.rglob("*.json")):
        key = f"gx/uncommitted/validations/{path.relative_to(validations_dir)}"
        s3_client.put_object(Bucket=s3_bucket, Key=key, Body=path.read_bytes())
        keys.append(key)
    configured(f"s3://{s3_bucket}/gx/uncommitted/validations")

    first = run_gx()

    rows = query(warehouse_path, "SELECT data_asset, suite_name, success FROM gx_validations")
    assert set(rows) == EXPECTED and len(rows) == 7
    uris = {r[0] for r in query(warehouse_path, "SELECT source_uri FROM gx_validations")}
    assert uris == {f"s3://{s3_bucket}/{key}" for key in keys}
    assert check_passed(first)

    second = run_gx()
    assert (metadata(second)["objects_read"], metadata(second)["rows_landed"]) == (0, 0)

    # An object replaced under the same key has a new ETag: it is read again.
    replacement = (GX_V0_DIR / "taxi_suite_1-20220727T154327.701100Z.json").read_bytes()
    s3_client.put_object(Bucket=s3_bucket, Key=keys[0], Body=replacement)
    third = run_gx()
    assert (metadata(third)["objects_read"], metadata(third)["rows_landed"]) == (1, 1)
    assert query(warehouse_path, "SELECT count(*) FROM gx_validations")[0][0] == 8


def test_unreachable_s3_fails_naming_the_endpoint_and_writes_nothing(
    configured, results_dir, warehouse_path, monkeypatch
):
    configured(results_dir)
    run_gx()
    endpoint = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    configured("s3://evidence/gx/uncommitted/validations")

    started = time.monotonic()
    with pytest.raises(SourceUnreachableError) as raised:
        run_gx()

    assert time.monotonic() - started < 30
    assert endpoint in str(raised.value)
    assert "AWS_ENDPOINT_URL_S3" in str(raised.value)
    assert query(warehouse_path, "SELECT count(*) FROM gx_validations")[0][0] == 7
    failed = query(
        warehouse_path,
        "SELECT records_read, rows_landed, message FROM ingestion_runs WHERE status = 'failed'",
    )
    assert len(failed) == 1 and failed[0][:2] == (0, 0)
    assert endpoint in failed[0][2]
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in failed[0][2]


def test_unconfigured_source_is_skipped_with_a_message(configured, warehouse_path):
    result = run_gx()

    assert result.success
    assert metadata(result)["status"] == "skipped"
    (status, message), *_ = query(
        warehouse_path, "SELECT status, message FROM ingestion_runs WHERE source = 'gx'"
    )
    assert status == "skipped"
    assert "EVIDENCE_GX_RESULTS" in message
    assert query(warehouse_path, "SELECT count(*) FROM gx_validations")[0][0] == 0
    assert check_passed(result)


def test_accounting_check_fails_when_the_warehouse_disagrees_with_the_record(
    configured, results_dir, warehouse_path
):
    configured(results_dir)
    run_gx()
    with duckdb.connect(str(warehouse_path)) as con:  # rows lost behind the pipeline's back
        con.execute("DELETE FROM gx_validations WHERE suite_name = 'customers_quality'")

    check_only = dg.materialize(
        [*gx_assets, *gx_checks],
        resources=default_resources(),
        selection=dg.AssetSelection.checks_for_assets(ASSET_KEY),
    )

    assert not check_passed(check_only)


def test_files_read_again_after_a_lost_publication_are_not_landed_twice(
    configured, results_dir, warehouse_path
):
    (results_dir / "not-a-result.json").write_text('{"name": "x", "expectations": []}')
    configured(results_dir)
    run_gx()
    # A writer killed after its commit but before publishing: the published copy is gone (or
    # behind), the working copy holds everything. The next run reads the files again.
    warehouse_path.unlink()

    rerun = run_gx()

    facts = metadata(rerun)
    assert (facts["records_read"], facts["rows_landed"]) == (8, 0)
    assert (facts["quarantined"], facts["skipped"]) == (0, 8)
    assert query(warehouse_path, "SELECT count(*) FROM gx_validations")[0][0] == 7
    assert query(warehouse_path, "SELECT count(*) FROM quarantine")[0][0] == 1
    assert check_passed(rerun)
