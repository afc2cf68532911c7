"""Shared fixtures: real servers on loopback, started once per test session, and a clean
environment for each test (no EVIDENCE_* or MLflow variables leak between tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.servers import MlflowServer, free_port, start_mlflow_server

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "true")

TEST_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIATESTKEY000000001",
    "AWS_SECRET_ACCESS_KEY": "test-secret-key-do-not-leak-0000000000001",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A real `mlflow server` with a sqlite backend on a free loopback port."""
    server = start_mlflow_server(tmp_path_factory.mktemp("mlflow-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's standalone S3 server on a free loopback port, reached by boto3 over HTTP."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with no project configuration and test AWS credentials."""
    for name in list(os.environ):
        if name.startswith(("EVIDENCE_", "MLFLOW_TRACKING_", "AWS_", "DAGSTER_HOME")):
            monkeypatch.delenv(name, raising=False)
    for name, value in TEST_AWS_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def s3_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point boto3 (through its own variables) at the moto server; returns the endpoint."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_endpoint)
    return moto_endpoint


@pytest.fixture
def s3_client(s3_env: str):
    return boto3.client("s3", endpoint_url=s3_env, region_name="us-east-1")


@pytest.fixture
def s3_bucket(s3_client, request: pytest.FixtureRequest) -> str:
    """A fresh, empty bucket per test."""
    name = "evidence-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    name = "".join(c for c in name if c.isalnum() or c == "-")
    s3_client.create_bucket(Bucket=name)
    return name


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "evidence.duckdb"


@pytest.fixture(scope="session")
def demo_estate_template(tmp_path_factory: pytest.TempPathFactory):
    """The demo estate, built once per session; tests take a copy (`copy_demo_estate`)."""
    from evidence_pipeline.demo import build_demo_estate

    return build_demo_estate(tmp_path_factory.mktemp("demo-template") / "estate")
