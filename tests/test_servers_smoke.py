"""The shared servers start and answer over their real protocols."""

from __future__ import annotations

import mlflow
import pytest


@pytest.mark.slow
def test_mlflow_server_answers_the_client(mlflow_server) -> None:
    client = mlflow.MlflowClient(tracking_uri=mlflow_server.url)
    client.create_registered_model("smoke-model", tags={"owner": "ml-platform"})
    assert client.get_registered_model("smoke-model").tags["owner"] == "ml-platform"


def test_moto_server_answers_boto3(s3_client, s3_bucket) -> None:
    s3_client.put_object(Bucket=s3_bucket, Key="a/b.jsonl", Body=b"{}\n")
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert keys == ["a/b.jsonl"]
