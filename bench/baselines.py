"""The fastest ways to do each source's work, measured on the same data as the pipeline.

- deployment logs: list the bucket, download every object with boto3 (concurrently) and read
  them all with DuckDB's `read_json` into a table (the floor for that source);
- GX results: DuckDB `read_json` over the same files into a table, extracting what the
  warehouse keeps (asset, suite, times, statistics, which expectations failed);
- MLflow: paging through `search_model_versions` alone, over HTTP;
- MLflow, the naive way: one `get_run` request per model version, timed on a subset and
  scaled up to every version.
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pandas  # noqa: F401  DuckDB imports it when binding a Python list: keep that out of the timings
from botocore.config import Config

EVENT_COLUMNS = {
    "event_id": "VARCHAR",
    "event_time": "TIMESTAMPTZ",
    "event_type": "VARCHAR",
    "model_name": "VARCHAR",
    "model_version": "VARCHAR",
    "environment": "VARCHAR",
    "endpoint": "VARCHAR",
    "actor": "VARCHAR",
    "approved_by": "VARCHAR",
    "change_ticket": "VARCHAR",
    "status": "VARCHAR",
    "incident_id": "VARCHAR",
    "details": "JSON",
}

GX_COLUMNS = {
    "success": "BOOLEAN",
    "suite_name": "VARCHAR",
    "statistics": "STRUCT(evaluated_expectations BIGINT, success_percent DOUBLE, "
    "successful_expectations BIGINT, unsuccessful_expectations BIGINT)",
    "meta": "STRUCT(active_batch_definition STRUCT(datasource_name VARCHAR, "
    "data_asset_name VARCHAR), run_id STRUCT(run_name VARCHAR, run_time VARCHAR), "
    "validation_time VARCHAR)",
    "results": "STRUCT(success BOOLEAN, expectation_config STRUCT(type VARCHAR))[]",
}


@dataclass
class Timed:
    seconds: float
    detail: dict[str, Any]


def _duckdb(threads: int, memory_limit: str) -> duckdb.DuckDBPyConnection:
    # Insertion order is not needed for a table that is then queried as a set; keeping it
    # buffers every file's rows and runs out of memory over 20,000 GX files at 2 GB.
    return duckdb.connect(
        config={
            "threads": str(threads),
            "memory_limit": memory_limit,
            "preserve_insertion_order": "false",
        }
    )


def _columns_sql(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"


def deploy_logs_floor(
    endpoint_url: str | None,
    bucket: str,
    prefix: str,
    *,
    threads: int = 2,
    memory_limit: str = "2GB",
    download_workers: int = 16,
) -> Timed:
    """Download every object under the prefix concurrently, then `read_json` them all."""
    started = time.perf_counter()
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        config=Config(max_pool_connections=download_workers),
    )
    keys = [
        item["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if item["Key"].endswith(".jsonl.gz")
    ]
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        root = Path(tmp)

        def download(numbered: tuple[int, str]) -> str:
            n, key = numbered
            path = root / f"{n:06d}.jsonl.gz"
            body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
            path.write_bytes(body)
            return str(path)

        with ThreadPoolExecutor(max_workers=download_workers) as pool:
            files = list(pool.map(download, enumerate(keys)))
        downloaded = time.perf_counter()
        con = _duckdb(threads, memory_limit)
        con.execute(
            "CREATE TABLE events AS SELECT * FROM read_json(?, format = 'newline_delimited', "
            f"compression = 'gzip', columns = {_columns_sql(EVENT_COLUMNS)})",
            [files],
        )
        rows = con.execute("SELECT count(*) FROM events").fetchone()[0]
        con.close()
    finished = time.perf_counter()
    return Timed(
        finished - started,
        {
            "objects": len(keys),
            "rows": rows,
            "download_seconds": downloaded - started,
            "read_json_seconds": finished - downloaded,
        },
    )


def local_deploy_logs_floor(root: Path, *, threads: int = 2, memory_limit: str = "2GB") -> Timed:
    """`read_json` over the same objects on local disk (no download)."""
    started = time.perf_counter()
    files = sorted(str(p) for p in root.rglob("*.jsonl.gz"))
    con = _duckdb(threads, memory_limit)
    con.execute(
        "CREATE TABLE events AS SELECT * FROM read_json(?, format = 'newline_delimited', "
        f"compression = 'gzip', columns = {_columns_sql(EVENT_COLUMNS)})",
        [files],
    )
    rows = con.execute("SELECT count(*) FROM events").fetchone()[0]
    con.close()
    return Timed(time.perf_counter() - started, {"objects": len(files), "rows": rows})


def gx_floor(root: Path, *, threads: int = 2, memory_limit: str = "2GB") -> Timed:
    """`read_json` over every validation result file, keeping what the warehouse keeps."""
    started = time.perf_counter()
    files = sorted(str(p) for p in root.rglob("*.json"))
    con = _duckdb(threads, memory_limit)
    con.execute(
        f"""
        CREATE TABLE validations AS
        SELECT
            filename AS source_uri,
            meta.active_batch_definition.datasource_name || '/'
                || meta.active_batch_definition.data_asset_name AS data_asset,
            suite_name,
            coalesce(meta.validation_time, meta.run_id.run_time)::TIMESTAMPTZ AS validated_at,
            success,
            statistics.success_percent AS success_percent,
            statistics.evaluated_expectations AS evaluated_expectations,
            [r.expectation_config.type FOR r IN results IF NOT r.success] AS failed_expectations
        FROM read_json(?, format = 'unstructured', filename = true,
                       columns = {_columns_sql(GX_COLUMNS)})
        """,
        [files],
    )
    rows = con.execute("SELECT count(*) FROM validations").fetchone()[0]
    con.close()
    return Timed(time.perf_counter() - started, {"files": len(files), "rows": rows})


def _client(tracking_uri: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def mlflow_paging(
    tracking_uri: str, page_size: int = 1_000, order_by: list[str] | None = None
) -> tuple[Timed, list[Any]]:
    """Page through every model version with `search_model_versions`, nothing else."""
    client = _client(tracking_uri)
    started = time.perf_counter()
    versions: list[Any] = []
    token = None
    pages = 0
    while True:
        page = client.search_model_versions(
            max_results=page_size, page_token=token, order_by=order_by
        )
        pages += 1
        versions.extend(page)
        token = page.token
        if not token:
            break
    return (
        Timed(
            time.perf_counter() - started,
            {
                "versions": len(versions),
                "pages": pages,
                "page_size": page_size,
                "order_by": order_by,
            },
        ),
        versions,
    )


def mlflow_naive(tracking_uri: str, versions: list[Any], subset: int = 1_000) -> Timed:
    """One `get_run` per model version, on `subset` versions; `estimated_seconds` scales the
    measured time up to every version (the paging to find them is counted separately)."""
    client = _client(tracking_uri)
    chosen = [v for v in versions if v.run_id][:subset]
    started = time.perf_counter()
    for version in chosen:
        client.get_run(version.run_id)
    seconds = time.perf_counter() - started
    factor = len(versions) / max(1, len(chosen))
    return Timed(
        seconds,
        {"subset": len(chosen), "scale_factor": factor, "estimated_seconds": seconds * factor},
    )
