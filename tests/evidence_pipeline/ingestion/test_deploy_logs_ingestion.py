"""The `raw/deployment_events` asset, materialised with Dagster over real files and moto S3."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import dagster as dg
import duckdb
import pytest

from connectors.deploy_logs import TextPiece, lines_batch
from connectors.errors import SourceUnreachableError
from connectors.locations import LocalLocation, StoredObject
from evidence_pipeline.ingestion.deploy_logs.assets import (
    deploy_logs_records_add_up,
    deployment_events,
)
from evidence_pipeline.ingestion.deploy_logs.ingest import (
    DeployLogIngestion,
    ReadOptions,
    ingest_deploy_logs,
)
from evidence_pipeline.ingestion.deploy_logs.staging import Staging
from evidence_pipeline.resources import EvidenceLocationResource, S3Resource, WarehouseResource
from evidence_pipeline.warehouse.store import Warehouse
from tests.conftest import TEST_AWS_ENV
from tests.servers import free_port

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DEPLOY_LOGS = FIXTURES / "deploy_logs"
CLOUDTRAIL = FIXTURES / "cloudtrail"


def materialize(warehouse_path: Path, location: str | None = None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [deployment_events, deploy_logs_records_add_up],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse_path)),
            "s3": S3Resource(max_attempts=2, timeout_seconds=2),
            "deploy_logs": EvidenceLocationResource(
                env_var="EVIDENCE_DEPLOY_LOGS", location=location
            ),
        },
        raise_on_error=False,
    )


def query(warehouse_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def latest_run(warehouse_path: Path) -> dict:
    columns = "status, objects_listed, objects_read, records_read, rows_landed, quarantined, "
    columns += "skipped, message"
    row = query(
        warehouse_path,
        f"SELECT {columns} FROM ingestion_runs WHERE source = 'deploy_logs' "
        "ORDER BY started_at DESC LIMIT 1",
    )[0]
    return dict(zip([c.strip() for c in columns.split(",")], row, strict=True))


def table_counts(warehouse_path: Path) -> dict[str, int]:
    tables = ("deployment_events", "endpoint_tags", "quarantine", "ingested_objects")
    return {t: query(warehouse_path, f"SELECT count(*) FROM {t}")[0][0] for t in tables}


def check_passed(result: dg.ExecuteInProcessResult) -> bool:
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation.passed


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """Every kind of input: plain and gzip JSON lines, bad lines, a truncated gzip object,
    non-UTF-8 bytes, and a gzip CloudTrail file."""
    logs = tmp_path / "logs"
    (logs / "2026" / "03").mkdir(parents=True)
    shutil.copy(DEPLOY_LOGS / "good_events.jsonl", logs / "2026" / "03" / "good_events.jsonl")
    bad = (DEPLOY_LOGS / "bad_lines.jsonl").read_bytes()
    (logs / "2026" / "bad_lines.jsonl.gz").write_bytes(gzip.compress(bad))
    lines = [
        f'{{"event_id": "cut-{i:04d}", "event_time": "2026-04-02T00:00:00Z", '
        f'"event_type": "monitoring_check", "model_name": "fraud", "environment": "production", '
        f'"details": {{"n": {i * 7919 % 10007}}}}}'
        for i in range(2000)
    ]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    (logs / "truncated.jsonl.gz").write_bytes(whole[: len(whole) * 2 // 3])
    (logs / "latin1.jsonl").write_bytes(
        b'{"event_id": "lat-1", "event_time": "2026-04-03T00:00:00Z", "event_type": "deploy", '
        b'"model_name": "caf\xe9", "model_version": "1", "environment": "production"}\n'
        b'{"event_id": "lat-2", "event_time": "2026-04-03T00:00:00Z", "event_type": "undeploy", '
        b'"model_name": "fraud", "environment": "production"}\n'
    )
    trail = (CLOUDTRAIL / "sagemaker_endpoints.json").read_bytes()
    (logs / "cloudtrail.json.gz").write_bytes(gzip.compress(trail))
    (logs / "notes.txt").write_text("not a log")
    return logs


@pytest.mark.slow
def test_good_events_land_normalised_and_every_bad_line_is_quarantined(
    log_dir: Path, warehouse_path: Path
):
    result = materialize(warehouse_path, str(log_dir))
    assert result.success
    events = {
        row[0]: row[1:]
        for row in query(
            warehouse_path,
            "SELECT event_id, event_type, model_version, environment, endpoint, status, "
            "source_line, raw FROM deployment_events",
        )
    }
    # mixed-case enumerations lowered, values trimmed, a JSON number version stored as a string
    assert events["dep-001"][:5] == ("deploy", "3", "production", "credit-risk-prod", "succeeded")
    assert events["rbk-001"][:3] == ("rollback", "2", "production")
    assert events["dep-002"][3:5] == ("churn", "failed")  # endpoint defaults to model_name
    assert events["con-001"][5] == 11  # the CRLF line, with its line number
    assert '"canary_share": 0.1' in events["cus-001"][6]  # unknown type and fields kept whole
    assert events["lat-2"][0] == "undeploy"
    cut = [e for e in events if e.startswith("cut-")]
    assert len(cut) > 100
    assert cut == [f"cut-{i:04d}" for i in range(len(cut))]
    assert "ok-001" in events and "ok-002" in events
    cloudtrail = [e for e in events.values() if e[6] and '"eventSource"' in e[6]]
    assert len(cloudtrail) == 5

    quarantined = {
        (Path(location).name, line): (error, raw)
        for location, line, error, raw in query(
            warehouse_path, "SELECT location, line, error, raw FROM quarantine"
        )
    }
    reasons = {key: error for key, (error, _) in quarantined.items()}
    bad = "bad_lines.jsonl.gz"
    assert reasons[(bad, 2)] == "malformed JSON line"
    assert reasons[(bad, 3)] == "missing required field: event_id"
    assert "is not an RFC 3339 timestamp" in reasons[(bad, 4)]
    assert "is not an RFC 3339 timestamp" in reasons[(bad, 5)]
    assert "incident_id (required for incident_* events)" in reasons[(bad, 6)]
    assert "model_version (required for deploy and rollback)" in reasons[(bad, 7)]
    assert '"pending" is neither succeeded nor failed' in reasons[(bad, 8)]
    assert reasons[(bad, 9)] == "not a JSON object"
    assert "repeated with different content (first seen at" in reasons[(bad, 11)]
    assert (bad, 10) not in reasons  # identical repeat: skipped
    assert quarantined[(bad, 2)][1].startswith('{"event_id": "bad-json"')
    truncation = [(k, v) for k, v in reasons.items() if k[0] == "truncated.jsonl.gz"]
    assert len(truncation) == 1
    assert truncation[0][0][1] == len(cut) + 1
    assert "truncated gzip object" in truncation[0][1]
    assert "not valid UTF-8" in reasons[("latin1.jsonl", 1)]
    assert "caf\\xe9" in quarantined[("latin1.jsonl", 1)][1]
    assert "no tags known for endpoint 'ghost-endpoint'" in reasons[("cloudtrail.json.gz", 6)]
    assert all(
        location.startswith(str(log_dir))
        for location, *_ in query(warehouse_path, "SELECT location FROM quarantine")
    )

    run = latest_run(warehouse_path)
    assert run["status"] == "succeeded"
    assert run["objects_listed"] == run["objects_read"] == 5
    # 9 + 12 + (cut lines + 1) + 2 JSON lines, and 10 CloudTrail records
    assert run["records_read"] == 9 + 12 + len(cut) + 1 + 2 + 10
    assert run["rows_landed"] == len(events)
    assert run["quarantined"] == len(quarantined)
    assert run["skipped"] == 1 + 4  # the identical repeat; S3, CreateModel and 2 AddTags
    assert run["records_read"] == run["rows_landed"] + run["quarantined"] + run["skipped"]
    assert check_passed(result)
    metadata = result.asset_materializations_for_node("raw__deployment_events")[0].metadata
    assert metadata["blank_lines"].value == 2
    assert metadata["events_by_type"].value["deploy"] >= 4
    assert "| event_time | event_type |" in metadata["new_events_preview"].value
    assert metadata["dagster/row_count"].value == len(events)
    assert query(
        warehouse_path, "SELECT count(*) FROM endpoint_tags WHERE endpoint_key = 'fraud-prod'"
    ) == [(2,)]


def test_second_run_reads_nothing_again_and_later_files_use_known_state(
    log_dir: Path, warehouse_path: Path
):
    assert materialize(warehouse_path, str(log_dir)).success
    before = table_counts(warehouse_path)

    again = materialize(warehouse_path, str(log_dir))
    assert again.success and check_passed(again)
    run = latest_run(warehouse_path)
    assert (run["objects_listed"], run["objects_read"], run["records_read"]) == (5, 0, 0)
    assert table_counts(warehouse_path) == before

    good = (DEPLOY_LOGS / "good_events.jsonl").read_text().splitlines()
    changed = good[0].replace('"model_version": 3', '"model_version": 4')
    (log_dir / "later.jsonl").write_text(f"{good[0]}\n{changed}\n")
    shutil.copy(CLOUDTRAIL / "later" / "sagemaker_later.json", log_dir / "later_trail.json")
    third = materialize(warehouse_path, str(log_dir))
    assert third.success and check_passed(third)
    run = latest_run(warehouse_path)
    assert (run["objects_read"], run["records_read"]) == (2, 3)
    assert (run["rows_landed"], run["quarantined"], run["skipped"]) == (1, 1, 1)
    (error,) = query(
        warehouse_path,
        "SELECT error FROM quarantine WHERE location LIKE '%later.jsonl' AND line = 2",
    )[0]
    assert "already in the warehouse with different content" in error
    # the untagged UpdateEndpoint takes the tags an earlier run learnt from CreateEndpoint
    assert query(
        warehouse_path,
        "SELECT model_name, model_version, environment FROM deployment_events "
        "WHERE event_id = '6f1c1a52-0000-4000-8000-00000000000b'",
    ) == [("churn", "7", "staging")]
    assert query(
        warehouse_path, "SELECT model_version FROM deployment_events WHERE event_id = 'dep-001'"
    ) == [("3",)]


def test_not_configured_is_recorded_as_skipped(warehouse_path: Path):
    result = materialize(warehouse_path)
    assert result.success
    run = latest_run(warehouse_path)
    assert run["status"] == "skipped"
    assert "EVIDENCE_DEPLOY_LOGS is not set" in run["message"]
    assert table_counts(warehouse_path)["deployment_events"] == 0


def _upload(s3_client, bucket: str, objects: dict[str, bytes]) -> None:
    with ThreadPoolExecutor(16) as pool:
        list(
            pool.map(
                lambda item: s3_client.put_object(Bucket=bucket, Key=item[0], Body=item[1]),
                objects.items(),
            )
        )


def _all_text(warehouse_path: Path) -> str:
    columns = query(
        warehouse_path,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type IN ('VARCHAR', 'JSON') OR data_type LIKE 'MAP%'",
    )
    texts = []
    for table, column in columns:
        texts += [str(v) for (v,) in query(warehouse_path, f'SELECT "{column}" FROM "{table}"')]
    return "\n".join(texts)


@pytest.mark.slow
def test_s3_past_one_listing_page_and_no_secret_anywhere(
    s3_client,
    s3_bucket: str,
    s3_env: str,
    warehouse_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture,
):
    objects = {
        f"logs/day-{i:04d}.jsonl.gz": gzip.compress(
            (
                f'{{"event_id": "s3-{i:04d}", "event_time": "2026-05-01T00:00:00Z", '
                f'"event_type": "monitoring_check", "model_name": "fraud", '
                f'"environment": "production"}}\n'
            ).encode()
        )
        for i in range(1001)
    }
    objects["logs/cloudtrail/trail.json"] = (CLOUDTRAIL / "sagemaker_endpoints.json").read_bytes()
    _upload(s3_client, s3_bucket, objects)
    monkeypatch.setenv("EVIDENCE_DEPLOY_LOGS", f"s3://{s3_bucket}/logs/")
    caplog.set_level(logging.DEBUG)

    result = materialize(warehouse_path)
    assert result.success and check_passed(result)
    run = latest_run(warehouse_path)
    assert (run["objects_listed"], run["objects_read"]) == (1002, 1002)
    assert query(
        warehouse_path, "SELECT count(*) FROM deployment_events WHERE event_id LIKE 's3-%'"
    ) == [(1001,)]
    assert query(
        warehouse_path,
        "SELECT count(*) FROM ingested_objects WHERE version_token LIKE 'etag:%'",
    ) == [(1002,)]

    again = materialize(warehouse_path)
    assert again.success
    assert latest_run(warehouse_path)["objects_read"] == 0

    stored = _all_text(warehouse_path)
    everything_logged = caplog.text + "".join(capfd.readouterr())
    # botocore's own DEBUG records show the key id in the Authorization header; the pipeline's
    # logs (INFO and above, Dagster's included) show neither the key id nor the secret key
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    for secret in (TEST_AWS_ENV["AWS_SECRET_ACCESS_KEY"], TEST_AWS_ENV["AWS_ACCESS_KEY_ID"]):
        assert secret not in stored
        assert secret not in logged
    assert TEST_AWS_ENV["AWS_SECRET_ACCESS_KEY"] not in everything_logged
    metadata = result.asset_materializations_for_node("raw__deployment_events")[0].metadata
    assert TEST_AWS_ENV["AWS_SECRET_ACCESS_KEY"] not in str(metadata)


def test_unreachable_s3_fails_quickly_naming_the_endpoint_and_writes_no_evidence(
    warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
):
    port = free_port()  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    result = materialize(warehouse_path, "s3://evidence/logs/")
    elapsed = time.monotonic() - started
    assert not result.success
    assert elapsed < 30
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.to_string()
    assert f"127.0.0.1:{port}" in message
    assert "could not be reached" in message
    assert TEST_AWS_ENV["AWS_SECRET_ACCESS_KEY"] not in message
    counts = table_counts(warehouse_path)
    assert counts["deployment_events"] == counts["quarantine"] == counts["ingested_objects"] == 0
    run = latest_run(warehouse_path)
    assert run["status"] == "failed"
    assert f"127.0.0.1:{port}" in run["message"]


def test_no_secret_or_uri_password_in_a_log_reaches_the_warehouse(
    tmp_path: Path, warehouse_path: Path
):
    secret = TEST_AWS_ENV["AWS_SECRET_ACCESS_KEY"]
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "events.jsonl").write_bytes(
        (
            '{"event_id": "sec-1", "event_time": "2026-04-01T09:00:00Z", "event_type": "deploy", '
            '"model_name": "fraud", "model_version": "1", "environment": "production", '
            '"details": {"registry": "https://deployer:hunter2-pass@mlflow.example.com/", '
            f'"key": "{secret}", "note": "redis://cache:6379", "by": "bob@example.com"}}}}\n'
            f'{{"event_id": "sec-2", "event_time": "not a time", "key": "{secret}"}}\n'
            f'{{"event_id": "sec-3", "broken": "{secret}"\n'
        ).encode()
        + f'{{"event_id": "sec-4", "name": "caf\xe9", "key": "{secret}"}}\n'.encode("latin-1")
    )
    (logs / "trail.json").write_text(f'{{"not_records": "{secret}"}}')
    result = materialize(warehouse_path, str(logs))
    assert result.success and check_passed(result)

    stored = _all_text(warehouse_path)
    assert secret not in stored
    assert "hunter2-pass" not in stored
    (details,) = query(
        warehouse_path, "SELECT details FROM deployment_events WHERE event_id = 'sec-1'"
    )[0]
    details = json.loads(details)
    assert details["registry"] == "https://deployer:***@mlflow.example.com/"
    assert details["key"] == "***"
    assert (details["note"], details["by"]) == ("redis://cache:6379", "bob@example.com")
    assert query(warehouse_path, "SELECT count(*) FROM quarantine") == [(4,)]


def test_values_are_trimmed_of_every_blank_line_breaks_included(
    tmp_path: Path, warehouse_path: Path
):
    logs = tmp_path / "logs"
    logs.mkdir()
    event = {
        "event_id": " trim-1\n",
        "event_time": "2026-04-01T09:00:00Z\r\n",
        "event_type": "\nDeploy\n",
        "model_name": "fraud\n",
        "model_version": "\n3 ",
        "environment": "\tProduction\r\n",
        "actor": "alice\n",
        "status": "Failed\n",
    }
    (logs / "events.jsonl").write_text(json.dumps(event) + "\n")
    assert materialize(warehouse_path, str(logs)).success
    assert query(
        warehouse_path,
        "SELECT event_id, event_type, model_name, model_version, environment, endpoint, actor, "
        "status FROM deployment_events",
    ) == [("trim-1", "deploy", "fraud", "3", "production", "fraud", "alice", "failed")]


def test_a_repeat_written_with_other_blanks_is_identical_content(
    tmp_path: Path, warehouse_path: Path
):
    event = {
        "event_id": "ws-1",
        "event_time": "2026-04-01T09:00:00Z",
        "event_type": "deploy",
        "model_name": "fraud",
        "model_version": "1",
        "environment": "production",
        "details": {"note": "a b"},
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.jsonl").write_text(json.dumps(event) + "\n")
    (logs / "b.jsonl").write_text(json.dumps(event, separators=(",", ":")) + "\n")
    assert materialize(warehouse_path, str(logs)).success
    run = latest_run(warehouse_path)
    assert (run["rows_landed"], run["quarantined"], run["skipped"]) == (1, 0, 1)

    (logs / "c.jsonl").write_text(json.dumps(event, indent=None, separators=(" ,", " : ")) + "\n")
    changed = {**event, "details": {"note": "a  b"}}
    (logs / "d.jsonl").write_text(json.dumps(changed) + "\n")
    result = materialize(warehouse_path, str(logs))
    assert result.success and check_passed(result)
    run = latest_run(warehouse_path)
    assert (run["rows_landed"], run["quarantined"], run["skipped"]) == (0, 1, 1)
    (location,) = query(warehouse_path, "SELECT location FROM quarantine")[0]
    assert location.endswith("d.jsonl")


def test_a_repeat_with_its_keys_in_another_order_is_identical_content(
    tmp_path: Path, warehouse_path: Path
):
    event = {
        "event_id": "ko-1",
        "event_time": "2026-04-01T09:00:00Z",
        "event_type": "deploy",
        "model_name": "fraud",
        "model_version": "1",
        "environment": "production",
        "details": {"a": 1, "b": [1, {"x": "y", "z": True}]},
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.jsonl").write_text(json.dumps(event) + "\n")
    reordered = dict(reversed(list(event.items())))
    reordered["details"] = {"b": [1, {"z": True, "x": "y"}], "a": 1}
    (logs / "b.jsonl").write_text(json.dumps(reordered) + "\n")
    typed = {**event, "details": {"a": 1.0, "b": [1, {"x": "y", "z": True}]}}
    (logs / "c.jsonl").write_text(json.dumps(typed) + "\n")  # 1.0 is not 1: a conflict
    result = materialize(warehouse_path, str(logs))
    assert result.success and check_passed(result)
    run = latest_run(warehouse_path)
    assert (run["rows_landed"], run["quarantined"], run["skipped"]) == (1, 1, 1)
    (location,) = query(warehouse_path, "SELECT location FROM quarantine")[0]
    assert location.endswith("c.jsonl")


def test_an_event_changed_in_a_log_rewritten_in_place_is_quarantined_not_lost(
    tmp_path: Path, warehouse_path: Path
):
    """The changed event sits at the same URI and line as the landed one: it is a repeat
    with different content (quarantined), not the landed row compared with itself."""
    event = {
        "event_id": "rw-1",
        "event_time": "2026-04-01T09:00:00Z",
        "event_type": "deploy",
        "model_name": "fraud",
        "model_version": "1",
        "environment": "production",
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "a.jsonl"
    log.write_text(json.dumps(event) + "\n")
    assert materialize(warehouse_path, str(logs)).success
    time.sleep(0.01)
    log.write_text(json.dumps({**event, "model_version": "2", "status": "failed"}) + "\n")
    result = materialize(warehouse_path, str(logs))
    assert result.success and check_passed(result)
    run = latest_run(warehouse_path)
    assert (run["records_read"], run["rows_landed"], run["quarantined"], run["skipped"]) == (
        1,
        0,
        1,
        0,
    )
    assert query(warehouse_path, "SELECT model_version, status FROM deployment_events") == [
        ("1", "succeeded")
    ]
    ((error, raw),) = query(warehouse_path, "SELECT error, raw FROM quarantine")
    assert "already in the warehouse with different content" in error
    assert '"model_version": "2"' in raw


def test_a_line_with_a_trailing_comma_is_malformed_json(tmp_path: Path, warehouse_path: Path):
    """DuckDB's JSON reader takes `{"a": 1,}`; no JSON reader does. Such a line is quarantined,
    while a comma before a brace inside a string, and NaN as Python writes it, land."""
    head = (
        '{"event_id": "%s", "event_time": "2026-04-01T09:00:00Z", "event_type": "deploy", '
        '"model_name": "fraud", "model_version": "1", "environment": "production"'
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.jsonl").write_text(
        "\n".join(
            [
                head % "tc-1" + ",}",
                head % "tc-2" + ', "details": {"a": [1, 2 ,\t]}}',
                head % "ok-1" + ', "details": {"note": "x,} and ,]"}}',
                head % "ok-2" + ', "details": {"score": NaN}}',
            ]
        )
        + "\n"
    )
    result = materialize(warehouse_path, str(logs))
    assert result.success and check_passed(result)
    assert query(warehouse_path, "SELECT event_id FROM deployment_events ORDER BY 1") == [
        ("ok-1",),
        ("ok-2",),
    ]
    assert query(warehouse_path, "SELECT line, error FROM quarantine ORDER BY line") == [
        (1, "malformed JSON line"),
        (2, "malformed JSON line"),
    ]


def test_event_times_outside_rfc_3339_that_duckdb_would_take_are_quarantined(
    tmp_path: Path, warehouse_path: Path
):
    times = {
        "ok-offset": "2026-04-01T09:00:00+23:59",
        "ok-fraction": "2026-04-01T09:00:00.5Z",
        "hour-24": "2026-04-01T09:00:00+24:00",
        "minute-60": "2026-04-01T09:00:00+05:60",
        "empty-fraction": "2026-04-01T09:00:00.Z",
        "hour-24-time": "2026-04-01T24:00:00Z",  # the cast reads the next day's midnight
        "one-digit-hour": "2026-04-01T9:00:00Z",
        "one-digit-minute": "2026-04-01T10:0:00Z",
        "one-digit-second": "2026-04-01T10:00:0Z",
        "no-seconds": "2026-04-01T10:00Z",
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.jsonl").write_text(
        "".join(
            json.dumps(
                {
                    "event_id": event_id,
                    "event_time": when,
                    "event_type": "monitoring_check",
                    "model_name": "fraud",
                    "environment": "production",
                }
            )
            + "\n"
            for event_id, when in times.items()
        )
    )
    result = materialize(warehouse_path, str(logs))
    assert result.success and check_passed(result)
    assert query(warehouse_path, "SELECT event_id FROM deployment_events ORDER BY 1") == [
        ("ok-fraction",),
        ("ok-offset",),
    ]
    errors = [e for (e,) in query(warehouse_path, "SELECT error FROM quarantine ORDER BY line")]
    assert len(errors) == 8
    assert all("is not an RFC 3339 timestamp" in e for e in errors)


def _trail(records: list[dict]) -> str:
    return json.dumps({"Records": records})


def _sagemaker(event_id: str, name: str, at: str, **parameters: object) -> dict:
    return {
        "eventSource": "sagemaker.amazonaws.com",
        "eventName": name,
        "eventID": event_id,
        "eventTime": at,
        "userIdentity": {"arn": "arn:aws:iam::123:user/deployer"},
        "requestParameters": parameters,
    }


def test_a_tag_change_learnt_in_a_later_run_counts_for_the_records_after_it(
    tmp_path: Path, warehouse_path: Path
):
    """Run 1: CreateEndpoint (version 1) at 10:00, AddTags approved_by at 11:00. Run 2, from a
    file delivered late: AddTags version 2 at 10:30, and a tagless UpdateEndpoint at 12:00.
    At 12:00 the endpoint's tags are version 2 and approved_by, as if all came in one run."""
    arn = "arn:aws:sagemaker:eu-west-1:123:endpoint/fraud-prod"

    def tags(**values: str) -> list[dict]:
        return [{"key": k, "value": v} for k, v in values.items()]

    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.json").write_text(
        _trail(
            [
                _sagemaker(
                    "ct-1",
                    "CreateEndpoint",
                    "2026-05-01T10:00:00Z",
                    endpointName="fraud-prod",
                    tags=tags(
                        mlflow_model_name="fraud",
                        mlflow_model_version="1",
                        environment="production",
                    ),
                ),
                _sagemaker(
                    "ct-2",
                    "AddTags",
                    "2026-05-01T11:00:00Z",
                    resourceArn=arn,
                    tags=tags(approved_by="carol"),
                ),
            ]
        )
    )
    assert materialize(warehouse_path, str(logs)).success
    (logs / "b.json").write_text(
        _trail(
            [
                _sagemaker(
                    "ct-3",
                    "AddTags",
                    "2026-05-01T10:30:00Z",
                    resourceArn=arn,
                    tags=tags(mlflow_model_version="2"),
                ),
                _sagemaker(
                    "ct-4", "UpdateEndpoint", "2026-05-01T12:00:00Z", endpointName="fraud-prod"
                ),
            ]
        )
    )
    result = materialize(warehouse_path, str(logs))
    assert result.success and check_passed(result)
    assert query(
        warehouse_path,
        "SELECT model_version, approved_by FROM deployment_events WHERE event_id = 'ct-4'",
    ) == [("2", "carol")]
    assert query(
        warehouse_path,
        "SELECT source_event_id, change, added, removed FROM endpoint_tags ORDER BY valid_from",
    ) == [
        ("ct-1", "set", {}, []),
        ("ct-3", "add", {"mlflow_model_version": "2"}, []),
        ("ct-2", "add", {"approved_by": "carol"}, []),
    ]


class _RotatedAwayAfterListing(LocalLocation):
    """A directory whose `gone.jsonl` is rotated away (deleted) right after it is listed."""

    def list_objects(self, suffixes: tuple[str, ...]):
        listed = list(super().list_objects(suffixes))
        (self.root / "gone.jsonl").unlink()
        return iter(listed)


def test_an_object_deleted_between_listing_and_reading_is_left_for_the_next_run(
    tmp_path: Path, warehouse_path: Path
):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "kept.jsonl").write_text(_event_line(1) + "\n")
    (logs / "gone.jsonl").write_text(_event_line(2) + "\n")
    store = Warehouse(warehouse_path)
    outcome = ingest_deploy_logs(store, _RotatedAwayAfterListing(logs.resolve()))
    assert outcome.status == "succeeded"
    assert (outcome.tally.objects_listed, outcome.tally.objects_read) == (2, 1)
    assert (outcome.tally.records_read, outcome.tally.rows_landed) == (1, 1)
    assert query(warehouse_path, "SELECT source_uri FROM deployment_events") == [
        (str(logs.resolve() / "kept.jsonl"),)
    ]
    assert query(warehouse_path, "SELECT count(*) FROM ingested_objects") == [(1,)]


def test_a_log_that_grew_is_read_again_without_quarantining_its_bad_lines_twice(
    tmp_path: Path, warehouse_path: Path
):
    logs = tmp_path / "logs"
    logs.mkdir()
    log = logs / "app.jsonl"
    log.write_text(_event_line(1) + "\n" + '{"event_id": "broken"\n')
    assert materialize(warehouse_path, str(logs)).success
    with log.open("a") as handle:
        handle.write(_event_line(2) + "\n")
    result = materialize(warehouse_path, str(logs))
    assert result.success and check_passed(result)
    run = latest_run(warehouse_path)
    # the event already landed and the bad line already quarantined are skipped
    assert (run["records_read"], run["rows_landed"], run["quarantined"], run["skipped"]) == (
        3,
        1,
        0,
        2,
    )
    assert query(warehouse_path, "SELECT count(*) FROM quarantine") == [(1,)]
    assert query(warehouse_path, "SELECT count(*) FROM deployment_events") == [(2,)]


def _event_line(n: int, **fields: object) -> str:
    event = {
        "event_id": f"batch-{n:06d}",
        "event_time": "2026-04-01T09:00:00Z",
        "event_type": "monitoring_check",
        "model_name": "fraud",
        "environment": "production",
        "details": {"n": n},
        **fields,
    }
    return json.dumps(event, separators=(",", ":"))


def _ingest(logs: Path, warehouse_path: Path, **options: int) -> DeployLogIngestion:
    store = Warehouse(warehouse_path)
    return ingest_deploy_logs(store, LocalLocation(logs), options=ReadOptions(**options))


@pytest.mark.parametrize("bad_line_bytes", [64 << 20, 1])
def test_one_bad_line_among_many_good_ones_in_a_batch_is_the_only_one_quarantined(
    tmp_path: Path, warehouse_path: Path, bad_line_bytes: int
):
    """The good lines land once, each bad one is quarantined at its line; also when the bad
    lines held fill their budget (1 byte: the statement ends at the first one, and another
    lands the rest)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    for part in range(6):
        lines = [_event_line(part * 1000 + i) for i in range(1000)]
        if part == 3:
            lines[617] = lines[617][:-5]  # cut short: not JSON
            lines[618] = _event_line(3618, status="rolled back")
            lines[619] = "   "  # blank: counted, not a record
        (logs / f"part-{part}.jsonl").write_text("\r\n".join(lines) + "\r\n")
    result = _ingest(logs, warehouse_path, bad_line_bytes=bad_line_bytes)
    assert (result.tally.records_read, result.tally.rows_landed) == (5999, 5997)
    assert (result.tally.quarantined, result.tally.skipped, result.empty_lines) == (2, 0, 1)
    assert query(warehouse_path, "SELECT line, error FROM quarantine ORDER BY line") == [
        (618, "malformed JSON line"),
        (619, 'status "rolled back" is neither succeeded nor failed'),
    ]
    (location,) = {row[0] for row in query(warehouse_path, "SELECT location FROM quarantine")}
    assert location.endswith("part-3.jsonl")
    landed = query(
        warehouse_path,
        "SELECT count(*), count(DISTINCT event_id), min(source_line), max(source_line), "
        "bool_and(raw NOT LIKE '%' || chr(13)), bool_and(json_extract(details, '$.n')::INT "
        "= (regexp_extract(source_uri, 'part-(\\d)', 1)::INT * 1000 + source_line - 1)) "
        "FROM deployment_events",
    )
    assert landed == [(5997, 5997, 1, 1000, True, True)]


def test_a_large_object_read_in_pieces_across_batches_keeps_its_line_numbers(
    tmp_path: Path, warehouse_path: Path
):
    logs = tmp_path / "logs"
    logs.mkdir()
    lines = [_event_line(i) for i in range(5000)]
    lines[3210] = "[1, 2]"
    (logs / "big.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    result = _ingest(
        logs, warehouse_path, large_object_bytes=1024, piece_bytes=16 << 10, bad_line_bytes=1
    )
    assert (result.tally.records_read, result.tally.rows_landed, result.tally.quarantined) == (
        5000,
        4999,
        1,
    )
    assert query(warehouse_path, "SELECT line, error, raw FROM quarantine") == [
        (3211, "not a JSON object", "[1, 2]")
    ]
    mismatched = query(
        warehouse_path,
        "SELECT count(*) FROM deployment_events "
        "WHERE json_extract(details, '$.n')::INT <> source_line - 1",
    )
    assert mismatched == [(0,)]
    assert query(warehouse_path, "SELECT count(*) FROM deployment_events") == [(4999,)]


def test_bad_lines_past_their_memory_budget_are_staged_and_landing_goes_on(
    tmp_path: Path, warehouse_path: Path
):
    """Bad lines are held only up to `bad_line_bytes`: then the statement ends, they are
    staged, and another statement lands the rest of the lines, none lost or landed twice."""
    objects = 300  # more than DuckDB reads ahead of its filter, so the budget cuts the stream
    bad = {3, 120, 250}
    store = Warehouse(warehouse_path)
    with store.writer() as con:
        stamp = {"ingested_at": datetime(2026, 4, 1, tzinfo=UTC), "ingestion_id": "test"}
        con.execute("BEGIN TRANSACTION")
        staging = Staging(con, stamp, bad_line_bytes=1)
        pieces = (
            TextPiece(
                f"mem://part-{part}.jsonl",
                1,
                "\n".join(
                    "{oops" if part in bad and i == 9 else _event_line(part * 100 + i)
                    for i in range(100)
                ).encode(),
            )
            for part in range(objects)
        )
        staging.land_lines(lines_batch(piece) for piece in pieces)
        staging.flush_objects()
        quarantined = con.execute("SELECT uri, line FROM stg_quarantine ORDER BY uri").fetchall()
        landed = con.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM deployment_events"
        ).fetchone()
        counts = con.execute(
            "SELECT sum(nonempty_lines), count(DISTINCT uri) FROM stg_line_counts"
        ).fetchone()
        con.execute("ROLLBACK")
    assert staging.statements > 1
    assert quarantined == sorted((f"mem://part-{part}.jsonl", 10) for part in bad)
    assert landed == (objects * 100 - len(bad), objects * 100 - len(bad))
    assert counts == (objects * 100, objects)


def test_an_object_that_cannot_be_read_midway_fails_the_ingestion_with_its_own_error(
    tmp_path: Path, warehouse_path: Path
):
    """An error raised while lines are landing (here: the store goes away after the listing)
    reaches the caller as it was raised, not as DuckDB's text, and nothing is written."""
    logs = tmp_path / "logs"
    logs.mkdir()
    for part in range(40):
        lines = [_event_line(part * 100 + i) for i in range(100)]
        (logs / f"part-{part:02d}.jsonl").write_text("\n".join(lines))

    class Vanishing(LocalLocation):
        def open(self, obj: StoredObject) -> IO[bytes]:
            if obj.key == "part-31.jsonl":
                raise SourceUnreachableError("directory", str(self.root), "It went away.")
            return super().open(obj)

    store = Warehouse(warehouse_path)
    with pytest.raises(SourceUnreachableError, match="went away"):
        ingest_deploy_logs(store, Vanishing(logs), options=ReadOptions(in_flight=4))
    counts = table_counts(warehouse_path)
    assert counts["deployment_events"] == counts["quarantine"] == counts["ingested_objects"] == 0


def test_short_local_credentials_do_not_mask_words_in_the_evidence(
    tmp_path: Path, warehouse_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The credentials of a local S3 (`test` / `testing`) are words: an event's `testing`
    environment and `churn-test` model land as written, not as `***`."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "events.jsonl").write_text(
        '{"event_id": "w-1", "event_time": "2026-04-01T09:00:00Z", "event_type": "deploy", '
        '"model_name": "churn-test", "model_version": "1", "environment": "testing", '
        '"actor": "tester"}\n'
    )
    result = materialize(warehouse_path, str(logs))
    assert result.success
    assert query(
        warehouse_path,
        "SELECT model_name, environment, actor, raw LIKE '%\"testing\"%' FROM deployment_events",
    ) == [("churn-test", "testing", "tester", True)]
