"""Sensors: a cursor that advances, no run when nothing is new, exactly one run per change."""

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from evidence_pipeline.jobs import evidence_job
from evidence_pipeline.orchestration.config import OrchestrationSettings
from evidence_pipeline.orchestration.cursors import SourceCursor
from evidence_pipeline.orchestration.sensors import build_sensors
from evidence_pipeline.resources import EvidenceLocationResource, MlflowResource, S3Resource

SENSORS = {s.name: s for s in build_sensors(OrchestrationSettings())}
RAW_DEPLOYMENTS = dg.AssetKey(["raw", "deployment_events"])
RAW_GX = dg.AssetKey(["raw", "gx_validations"])
RAW_MLFLOW = dg.AssetKey(["raw", "mlflow_model_versions"])
CONTROL_RESULTS = dg.AssetKey(["evidence", "control_results"])


def _asset(key: dg.AssetKey, group: str, **kwargs: object) -> dg.AssetsDefinition:
    @dg.asset(key=key, group_name=group, **kwargs)
    def _materialise() -> None:
        return None

    return _materialise


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    """The shape of the project's asset graph: ingestion groups, then control evaluation."""
    return dg.Definitions(
        assets=[
            _asset(RAW_DEPLOYMENTS, "ingestion_deploy_logs"),
            _asset(RAW_GX, "ingestion_gx"),
            _asset(RAW_MLFLOW, "ingestion_mlflow"),
            _asset(CONTROL_RESULTS, "controls", deps=[RAW_DEPLOYMENTS, RAW_GX, RAW_MLFLOW]),
        ],
        jobs=[evidence_job],
        sensors=list(SENSORS.values()),
    )


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


class Ticker:
    """Ticks one sensor as the daemon would: the cursor of each tick feeds the next."""

    def __init__(
        self,
        name: str,
        instance: dg.DagsterInstance,
        definitions: dg.Definitions,
        resources: dict[str, object],
    ) -> None:
        self.sensor = SENSORS[name]
        self.instance = instance
        self.definitions = definitions
        self.resources = resources
        self.cursor: str | None = None

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            definitions=self.definitions,
            sensor_name=self.sensor.name,
            resources=self.resources,
        )
        data = self.sensor.evaluate_tick(context)
        if data.cursor is not None:
            self.cursor = data.cursor
        return data


def _write_events(path: Path, *event_ids: str) -> None:
    lines = [
        json.dumps(
            {
                "event_id": event_id,
                "event_time": "2026-11-01T10:00:00Z",
                "event_type": "deploy",
                "model_name": "churn",
                "model_version": "3",
                "environment": "production",
            }
        )
        for event_id in event_ids
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def test_deploy_log_sensor_requests_one_run_per_change_of_the_directory(
    tmp_path: Path, instance: dg.DagsterInstance, definitions: dg.Definitions
) -> None:
    logs = tmp_path / "deploy-logs"
    ticker = Ticker(
        "deploy_logs_sensor",
        instance,
        definitions,
        {
            "deploy_logs": EvidenceLocationResource(
                env_var="EVIDENCE_DEPLOY_LOGS", location=str(logs)
            ),
            "s3": S3Resource(),
        },
    )
    logs.mkdir()
    (logs / "README.txt").write_text("not a log")
    empty = ticker.tick()
    assert not empty.run_requests and "No deployment log files yet" in empty.skip_message

    _write_events(logs / "2026" / "11" / "a.jsonl", "e1", "e2")
    _write_events(logs / "2026" / "11" / "b.jsonl.gz", "e3")
    first = ticker.tick()
    (request,) = first.run_requests
    assert request.job_name in (None, "evidence_job")
    assert set(request.asset_selection) == {RAW_DEPLOYMENTS, CONTROL_RESULTS}
    assert request.tags["evidence/warehouse-writer"] == "true"
    assert request.tags["evidence/trigger"] == "deploy_logs_sensor"
    assert SourceCursor.from_json(ticker.cursor).entries == 2

    again = ticker.tick()
    assert not again.run_requests
    assert "Nothing new: 2 deployment log files" in again.skip_message

    _write_events(logs / "2026" / "11" / "c.jsonl", "e4")
    (second,) = ticker.tick().run_requests
    assert second.run_key != request.run_key
    assert SourceCursor.from_json(ticker.cursor).entries == 3

    _write_events(logs / "2026" / "11" / "c.jsonl", "e4", "e5")  # a file that grew
    (third,) = ticker.tick().run_requests
    assert len({request.run_key, second.run_key, third.run_key}) == 3
    assert not ticker.tick().run_requests


def test_gx_sensor_watches_an_s3_prefix(
    s3_client, s3_bucket: str, instance: dg.DagsterInstance, definitions: dg.Definitions
) -> None:
    ticker = Ticker(
        "gx_results_sensor",
        instance,
        definitions,
        {
            "gx_results": EvidenceLocationResource(
                env_var="EVIDENCE_GX_RESULTS", location=f"s3://{s3_bucket}/gx/validations"
            ),
            "s3": S3Resource(),
        },
    )
    s3_client.put_object(Bucket=s3_bucket, Key="gx/validations/suite/run1.json", Body=b"{}")
    s3_client.put_object(Bucket=s3_bucket, Key="elsewhere/run9.json", Body=b"{}")
    (first,) = ticker.tick().run_requests
    assert set(first.asset_selection) == {RAW_GX, CONTROL_RESULTS}
    assert not ticker.tick().run_requests

    s3_client.put_object(Bucket=s3_bucket, Key="gx/validations/suite/run2.json", Body=b"{}")
    (second,) = ticker.tick().run_requests
    assert second.run_key != first.run_key
    # Overwriting an object with other content changes its ETag: one more run.
    s3_client.put_object(Bucket=s3_bucket, Key="gx/validations/suite/run2.json", Body=b"{ }")
    assert len(ticker.tick().run_requests) == 1
    assert not ticker.tick().run_requests


def test_sensors_skip_with_a_message_when_their_source_is_not_configured(
    instance: dg.DagsterInstance, definitions: dg.Definitions
) -> None:
    resources = {
        "deploy_logs": EvidenceLocationResource(env_var="EVIDENCE_DEPLOY_LOGS"),
        "gx_results": EvidenceLocationResource(env_var="EVIDENCE_GX_RESULTS"),
        "mlflow": MlflowResource(),
        "s3": S3Resource(),
    }
    messages = {
        name: Ticker(name, instance, definitions, resources).tick().skip_message for name in SENSORS
    }
    assert "EVIDENCE_DEPLOY_LOGS is not set" in messages["deploy_logs_sensor"]
    assert "EVIDENCE_GX_RESULTS is not set" in messages["gx_results_sensor"]
    assert "MLFLOW_TRACKING_URI is not set" in messages["mlflow_registry_sensor"]


@pytest.mark.slow
def test_mlflow_sensor_requests_a_run_when_an_entry_is_created_or_tagged(
    tmp_path: Path, instance: dg.DagsterInstance, definitions: dg.Definitions
) -> None:
    from mlflow import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.create_registered_model("churn", tags={"owner": "ana"})
    ticker = Ticker(
        "mlflow_registry_sensor",
        instance,
        definitions,
        {"mlflow": MlflowResource(tracking_uri=uri)},
    )
    (first,) = ticker.tick().run_requests
    assert set(first.asset_selection) == {RAW_MLFLOW, CONTROL_RESULTS}
    assert not ticker.tick().run_requests

    client.create_model_version("churn", source=str(tmp_path / "artifacts" / "model"))
    assert len(ticker.tick().run_requests) == 1
    assert not ticker.tick().run_requests

    # A tag does not move MLflow's update time; the sensor still sees it.
    client.set_model_version_tag("churn", "1", "validation_status", "passed")
    assert len(ticker.tick().run_requests) == 1
    client.set_registered_model_alias("churn", "champion", "1")
    assert len(ticker.tick().run_requests) == 1
    assert not ticker.tick().run_requests
    assert SourceCursor.from_json(ticker.cursor).entries == 2


def test_a_tick_that_cannot_reach_its_source_fails_naming_it(
    tmp_path: Path, instance: dg.DagsterInstance, definitions: dg.Definitions
) -> None:
    from connectors.errors import SourceUnreachableError
    from tests.servers import free_port

    missing = tmp_path / "no-such-directory"
    logs = Ticker(
        "deploy_logs_sensor",
        instance,
        definitions,
        {
            "deploy_logs": EvidenceLocationResource(
                env_var="EVIDENCE_DEPLOY_LOGS", location=str(missing)
            ),
            "s3": S3Resource(),
        },
    )
    with pytest.raises(SourceUnreachableError, match="no-such-directory"):
        logs.tick()

    server = f"http://ml:s3cret@127.0.0.1:{free_port()}"
    registry = Ticker(
        "mlflow_registry_sensor",
        instance,
        definitions,
        {"mlflow": MlflowResource(tracking_uri=server, max_retries=0, timeout_seconds=2)},
    )
    started = time.monotonic()
    with pytest.raises(SourceUnreachableError) as raised:
        registry.tick()
    assert time.monotonic() - started < 30
    assert "127.0.0.1" in str(raised.value) and "s3cret" not in str(raised.value)
    assert registry.cursor is None
