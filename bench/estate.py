"""The synthetic ML estate the benchmark runs on.

At scale 1.0:
- an MLflow registry of 2,000 registered models x 5 versions = 10,000 versions, each with a
  source run that has params, metrics, tags and a dataset input with a digest. It is seeded
  through MLflow's own tracking and registry stores (`SqlAlchemyStore`, sqlite) in process, and
  served by a real `mlflow server` that the pipeline and the baselines read over HTTP;
- 20,000 Great Expectations validation result files shaped like GX Core 1.24 output
  (`ExpectationSuiteValidationResult` JSON, laid out as the validation results store writes
  them: `<suite>/<run_name>/<run_time>/<batch_id>.json`);
- 1,000,000 deployment events (deploys, rollbacks, undeploys, monitoring checks, incidents,
  concerns) in 500 gzip JSON-lines files, per evidence-model.md section 2, on local disk and
  uploaded to an S3 bucket (moto's server).

Everything is deterministic for a given scale and anchor instant, so a cached estate can be
reused between runs. `one_percent_delta` adds 1% new evidence on top.
"""

from __future__ import annotations

import gzip
import json
import logging
import math
import os
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")

VERSIONS_PER_MODEL = 5
EVENT_DAYS = 180
PEOPLE = [
    f"{first}.{last}"
    for first in ("ana", "ben", "chen", "dara", "eli", "fay", "gus")
    for last in ("smith", "ng", "okafor", "ivanova")
]
ENVIRONMENTS = ("production", "production", "production", "staging", "dev")
DATA_SOURCES = ("warehouse", "feature_store", "lakehouse", "events")


@dataclass(frozen=True)
class EstateSpec:
    """How big the estate is; every count follows `scale` (at least one of each)."""

    scale: float
    models: int
    versions_per_model: int
    gx_files: int
    events: int
    event_objects: int

    @classmethod
    def for_scale(cls, scale: float) -> EstateSpec:
        return cls(
            scale=scale,
            models=max(2, round(2_000 * scale)),
            versions_per_model=VERSIONS_PER_MODEL,
            gx_files=max(10, round(20_000 * scale)),
            events=max(1_000, round(1_000_000 * scale)),
            event_objects=max(1, round(500 * scale)),
        )

    @property
    def model_versions(self) -> int:
        return self.models * self.versions_per_model

    @property
    def events_per_object(self) -> int:
        return math.ceil(self.events / self.event_objects)

    def delta(self) -> EstateSpec:
        """The 1% of new evidence: objects, files, versions (at least one of each)."""
        return EstateSpec(
            scale=self.scale * 0.01,
            models=max(1, round(self.models * 0.01)),
            versions_per_model=self.versions_per_model,
            gx_files=max(1, round(self.gx_files * 0.01)),
            events=max(1, round(self.event_objects * 0.01)) * self.events_per_object,
            event_objects=max(1, round(self.event_objects * 0.01)),
        )

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def model_name(i: int) -> str:
    return f"bench-model-{i:05d}"


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- MLflow


def _fast_sqlite() -> None:
    """Seeding only: sqlite without fsync (the file is a cache and is rebuilt when lost)."""
    import sqlalchemy.event
    from sqlalchemy.engine import Engine

    @sqlalchemy.event.listens_for(Engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.close()


def _registered_model_tags(i: int, rng: random.Random) -> dict[str, str]:
    tags = {"intended_use": f"Scores applications for product line {i % 37}"}
    if rng.random() < 0.95:
        tags["owner"] = rng.choice(PEOPLE)
    tier = rng.choice(("high", "medium", "medium", "low", "low"))
    tags["risk_tier"] = tier
    if tier == "high" and rng.random() < 0.9:
        tags["impact_assessment"] = f"IA-{i:05d}"
        tags["impact_assessment_date"] = (
            datetime(2026, 1, 1) + timedelta(days=rng.randrange(0, 300))
        ).strftime("%Y-%m-%d")
    if rng.random() < 0.2:
        tags["provider"] = rng.choice(("acme-ai", "modelhub", "vendorx"))
        if rng.random() < 0.8:
            tags["supplier_assessment"] = f"SA-{i:05d}"
    else:
        tags["provider"] = "internal"
    return tags


def _version_tags(rng: random.Random, name: str, version: int) -> dict[str, str]:
    tags = {"approved_by": rng.choice(PEOPLE)}
    if rng.random() < 0.9:
        tags["model_card"] = f"s3://model-cards/{name}/v{version}.md"
    tags["validation_status"] = "passed" if rng.random() < 0.92 else "failed"
    return tags


def seed_mlflow(
    backend_uri: str,
    artifacts: Path,
    spec: EstateSpec,
    *,
    first_model: int = 0,
    anchor: datetime,
) -> int:
    """Write `spec.models` registered models with their versions and source runs, in process,
    through MLflow's own stores. Returns the number of versions written."""
    from mlflow.entities import Dataset, DatasetInput, InputTag, Metric, Param, RunTag
    from mlflow.entities.model_registry import ModelVersionTag, RegisteredModelTag
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as TrackingStore

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    _fast_sqlite()
    tracking = TrackingStore(backend_uri, str(artifacts))
    registry = RegistryStore(backend_uri)
    experiment_id = tracking.get_experiment_by_name("bench-training")
    experiment_id = (
        experiment_id.experiment_id
        if experiment_id
        else tracking.create_experiment("bench-training", str(artifacts / "bench-training"))
    )
    start_ms = int((anchor - timedelta(days=EVENT_DAYS + 30)).timestamp() * 1000)
    written = 0
    for i in range(first_model, first_model + spec.models):
        rng = random.Random(i)
        name = model_name(i)
        tags = _registered_model_tags(i, rng)
        registry.create_registered_model(
            name,
            tags=[RegisteredModelTag(k, v) for k, v in tags.items()],
            description=f"Benchmark model {i}",
        )
        for v in range(1, spec.versions_per_model + 1):
            started = start_ms + (i * 997 + v * 86_400_000) % (EVENT_DAYS * 86_400_000)
            run = tracking.create_run(
                experiment_id,
                rng.choice(PEOPLE),
                started,
                [RunTag("mlflow.source.name", "train.py"), RunTag("team", f"team-{i % 23}")],
                f"{name}-train-{v}",
            )
            run_id = run.info.run_id
            tracking.log_batch(
                run_id,
                metrics=[
                    Metric("auc", 0.7 + rng.random() * 0.29, started + 1000, 0),
                    Metric("accuracy", 0.7 + rng.random() * 0.29, started + 1000, 0),
                    Metric("loss", rng.random(), started + 1000, 0),
                ],
                params=[
                    Param("learning_rate", str(rng.choice((0.1, 0.05, 0.01)))),
                    Param("max_depth", str(rng.randrange(3, 12))),
                    Param("n_estimators", str(rng.randrange(50, 500))),
                    Param("seed", str(i * 10 + v)),
                ],
                tags=[],
            )
            if rng.random() < 0.97:
                digest = uuid.UUID(int=rng.getrandbits(128)).hex[:8]
                tracking.log_inputs(
                    run_id,
                    [
                        DatasetInput(
                            Dataset(
                                name=f"training-{i % 211}",
                                digest=digest,
                                source_type="s3",
                                source=f"s3://datasets/training-{i % 211}/part-{v}.parquet",
                                schema=None,
                                profile=json.dumps({"num_rows": 1000 + v}),
                            ),
                            tags=[InputTag("mlflow.data.context", "training")],
                        )
                    ],
                )
            tracking.update_run_info(run_id, _finished_status(), started + 60_000, None)
            registry.create_model_version(
                name,
                f"{run.info.artifact_uri}/model",
                run_id=run_id,
                tags=[ModelVersionTag(k, val) for k, val in _version_tags(rng, name, v).items()],
                description=None,
            )
            written += 1
        registry.set_registered_model_alias(name, "champion", str(spec.versions_per_model))
    return written


def backdate_registry(db: Path) -> int:
    """Give the seeded registry the history a real one has: each model version created one
    minute after its source run ended, each registered model when its first version was.

    MLflow's store stamps entries with the time they are written, so a registry seeded today
    would hold nothing on any past day, and a backfill would judge an empty registry. Applied
    to the served copy of the store (`sqlite3`, before the server starts); returns the number
    of versions moved.
    """
    import sqlite3

    with sqlite3.connect(db) as con:
        moved = con.execute(
            """
            UPDATE model_versions
            SET creation_time = runs.end_time + 60000
            FROM runs
            WHERE runs.run_uuid = model_versions.run_id
              AND runs.end_time IS NOT NULL
              AND runs.end_time + 60000 < model_versions.creation_time
            """
        ).rowcount
        con.execute(
            """
            UPDATE registered_models
            SET creation_time = first.created
            FROM (
                SELECT name, min(creation_time) AS created FROM model_versions GROUP BY name
            ) AS first
            WHERE first.name = registered_models.name
              AND first.created < registered_models.creation_time
            """
        )
    return moved


def _finished_status() -> Any:
    from mlflow.entities import RunStatus

    return RunStatus.FINISHED


def mlflow_delta(tracking_uri: str, spec: EstateSpec, delta: EstateSpec) -> dict[str, int]:
    """1% new registry evidence, written through the server: a new version (with its source
    run) on 1% of the models' count, and tag and alias changes on as many registered models
    and versions (changes that leave `last_updated_timestamp` alone)."""
    from mlflow import MlflowClient
    from mlflow.entities import Dataset, DatasetInput, InputTag

    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    experiment = client.get_experiment_by_name("bench-training")
    experiment_id = experiment.experiment_id if experiment else client.create_experiment("bench")
    new_versions = delta.models * delta.versions_per_model
    stride = max(1, spec.models // max(1, new_versions))
    changed_models = 0
    changed_versions = 0
    for n in range(new_versions):
        i = (n * stride) % spec.models
        name = model_name(i)
        run = client.create_run(experiment_id, run_name=f"{name}-retrain")
        client.log_inputs(
            run.info.run_id,
            [
                DatasetInput(
                    Dataset(
                        name=f"training-{i % 211}",
                        digest=uuid.uuid4().hex[:8],
                        source_type="s3",
                        source=f"s3://datasets/training-{i % 211}/retrain.parquet",
                    ),
                    tags=[InputTag("mlflow.data.context", "training")],
                )
            ],
        )
        client.log_param(run.info.run_id, "learning_rate", "0.02")
        client.log_metric(run.info.run_id, "auc", 0.93)
        client.set_terminated(run.info.run_id)
        version = client.create_model_version(
            name,
            f"{run.info.artifact_uri}/model",
            run_id=run.info.run_id,
            tags={"approved_by": "fay.ng"},
        )
        client.set_model_version_tag(name, version.version, "validation_status", "passed")
    for n in range(delta.models):
        i = (n * stride + 1) % spec.models
        name = model_name(i)
        client.set_registered_model_tag(name, "owner", "new.owner")
        client.set_registered_model_alias(name, "champion", "1")
        client.set_model_version_tag(name, "2", "validation_status", "failed")
        changed_models += 1
        changed_versions += 1
    return {
        "new_model_versions": new_versions,
        "changed_registered_models": changed_models,
        "changed_model_versions": changed_versions,  # a tag each; the alias moves touch more
    }


# --------------------------------------------------------------------------- GX results

_EXPECTATIONS = (
    ("expect_column_values_to_not_be_null", {"column": "customer_id"}),
    ("expect_column_values_to_be_unique", {"column": "id"}),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "min_value": 0.0, "max_value": 50000.0},
    ),
    (
        "expect_column_values_to_be_in_set",
        {"column": "currency", "value_set": ["EUR", "GBP", "USD"]},
    ),
    ("expect_table_row_count_to_be_between", {"min_value": 100, "max_value": 100000}),
    (
        "expect_column_mean_to_be_between",
        {"column": "income", "min_value": 20000, "max_value": 120000},
    ),
)


def _expectation_result(
    rng: random.Random, batch_id: str, kind: str, kwargs: dict[str, Any], success: bool
) -> dict[str, Any]:
    element_count = 240
    unexpected = 0 if success else rng.randrange(1, 12)
    if kind in ("expect_table_row_count_to_be_between", "expect_column_mean_to_be_between"):
        result: dict[str, Any] = {"observed_value": element_count if "row" in kind else 51234.5}
    else:
        values = [round(-rng.random() * 100, 2) for _ in range(unexpected)]
        result = {
            "element_count": element_count,
            "missing_count": 0,
            "missing_percent": 0.0,
            "partial_unexpected_counts": [{"count": 1, "value": v} for v in values],
            "partial_unexpected_index_list": list(range(unexpected)),
            "partial_unexpected_list": values,
            "unexpected_count": unexpected,
            "unexpected_percent": unexpected * 100 / element_count,
            "unexpected_percent_nonmissing": unexpected * 100 / element_count,
            "unexpected_percent_total": unexpected * 100 / element_count,
        }
    return {
        "exception_info": {
            "exception_message": None,
            "exception_traceback": None,
            "raised_exception": False,
        },
        "expectation_config": {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "kwargs": {"batch_id": batch_id, **kwargs},
            "meta": {},
            "severity": "critical",
            "type": kind,
        },
        "meta": {},
        "result": result,
        "success": success,
    }


def gx_result(index: int, anchor: datetime, total: int) -> tuple[str, dict[str, Any]]:
    """The `index`-th validation result: its relative path and its JSON document, in the shape
    GX Core 1.24's validation results store writes (compare `evidence_pipeline/demo`)."""
    rng = random.Random(1_000_003 * index + 17)
    assets = max(1, total // 20)
    asset_no = index % assets
    datasource = DATA_SOURCES[asset_no % len(DATA_SOURCES)]
    asset = f"table_{asset_no:05d}"
    suite = f"{asset}_{'quality' if (index // assets) % 2 == 0 else 'fairness'}"
    # Validations of one asset are spread over the 60 days before the anchor, newest last.
    run_time = anchor - timedelta(minutes=(total - index) * 60 * 24 * 60 // max(1, total))
    run_time = run_time.replace(microsecond=(index * 7919) % 1_000_000)
    batch_id = f"{datasource}-{asset}"
    kinds = rng.sample(_EXPECTATIONS, rng.randrange(3, len(_EXPECTATIONS) + 1))
    failing = rng.random() < 0.12
    results = [
        _expectation_result(rng, batch_id, kind, kwargs, not (failing and n == 0))
        for n, (kind, kwargs) in enumerate(kinds)
    ]
    successful = sum(1 for r in results if r["success"])
    run_name = f"scheduled_{suite}"
    document = {
        "id": None,
        "meta": {
            "active_batch_definition": {
                "batch_identifiers": {"dataframe": "<DATAFRAME>"},
                "data_asset_name": asset,
                "data_connector_name": "fluent",
                "datasource_name": datasource,
            },
            "batch_markers": {
                "ge_load_time": run_time.strftime("%Y%m%dT%H%M%S.%fZ"),
                "pandas_data_fingerprint": uuid.UUID(int=rng.getrandbits(128)).hex,
            },
            "batch_parameters": {"dataframe": "<DATAFRAME>"},
            "batch_spec": {"batch_data": "PandasDataFrame"},
            "checkpoint_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "great_expectations_version": "1.24.1",
            "run_id": {"run_name": run_name, "run_time": run_time.isoformat()},
            "validation_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "validation_time": run_time.isoformat(),
        },
        "results": results,
        "statistics": {
            "evaluated_expectations": len(results),
            "success_percent": successful * 100 / len(results),
            "successful_expectations": successful,
            "unsuccessful_expectations": len(results) - successful,
        },
        "success": successful == len(results),
        "suite_name": suite,
        "suite_parameters": {},
    }
    path = f"{suite}/{run_name}/{run_time.strftime('%Y%m%dT%H%M%S.%fZ')}/{batch_id}.json"
    return path, document


def write_gx_results(
    root: Path, spec: EstateSpec, anchor: datetime, *, start: int = 0, count: int | None = None
) -> list[Path]:
    """Write validation results `start` .. `start + count` under `root`."""
    count = spec.gx_files if count is None else count
    written = []
    for index in range(start, start + count):
        relative, document = gx_result(index, anchor, spec.gx_files)
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2, sort_keys=True))
        written.append(path)
    return written


# --------------------------------------------------------------------------- deployment logs


def _event_lines(
    spec: EstateSpec, object_no: int, anchor: datetime, total_objects: int
) -> list[str]:
    """The JSON lines of one object: its events fall in its slice of the time range (objects
    are in time order, like a log shipper's hourly files)."""
    rng = random.Random(424_242 + object_no)
    span = timedelta(days=EVENT_DAYS) / max(1, total_objects)
    slice_start = anchor - timedelta(days=EVENT_DAYS) + span * object_no
    span_us = int(span / timedelta(microseconds=1))
    offsets = sorted(rng.randrange(0, max(1, span_us)) for _ in range(spec.events_per_object))
    lines = []
    for n, offset in enumerate(offsets):
        when = _iso(slice_start + timedelta(microseconds=offset))
        i = rng.randrange(spec.models)
        name = model_name(i)
        environment = ENVIRONMENTS[i % len(ENVIRONMENTS)]
        event: dict[str, Any] = {
            "event_id": f"evt-{object_no:05d}-{n:06d}",
            "event_time": when,
            "model_name": name,
            "environment": environment,
            "endpoint": f"{name}-endpoint",
        }
        roll = rng.random()
        if roll < 0.86:
            event["event_type"] = "monitoring_check"
            event["actor"] = "monitoring-bot"
            event["status"] = "succeeded" if rng.random() < 0.98 else "failed"
            event["details"] = {
                "drift_score": round(rng.random(), 4),
                "psi": round(rng.random(), 3),
            }
        elif roll < 0.94:
            actor = rng.choice(PEOPLE)
            event["event_type"] = "deploy" if roll < 0.925 else "rollback"
            event["model_version"] = str(rng.randrange(1, spec.versions_per_model + 1))
            event["actor"] = actor
            event["approved_by"] = actor if rng.random() < 0.05 else rng.choice(PEOPLE)
            event["change_ticket"] = f"CHG-{object_no:04d}{n:05d}"
            event["status"] = "succeeded" if rng.random() < 0.95 else "failed"
        elif roll < 0.945:
            event["event_type"] = "undeploy"
            event["actor"] = rng.choice(PEOPLE)
            event["approved_by"] = rng.choice(PEOPLE)
        elif roll < 0.998:
            incident = f"INC-{object_no:05d}-{n // 3:06d}"
            stage = rng.choice(("incident_opened", "incident_communicated", "incident_resolved"))
            event["event_type"] = stage
            event["incident_id"] = incident
            event["actor"] = rng.choice(PEOPLE)
            event["details"] = {"severity": rng.choice(("sev1", "sev2", "sev3"))}
        else:
            event["event_type"] = "concern_reported"
            event["actor"] = "anonymous"
            event["details"] = {"channel": "ethics-hotline"}
        lines.append(json.dumps(event, separators=(",", ":")))
    return lines


def event_object_name(object_no: int) -> str:
    return f"events/part-{object_no:05d}.jsonl.gz"


def write_deploy_logs(
    root: Path,
    spec: EstateSpec,
    anchor: datetime,
    *,
    start: int = 0,
    count: int | None = None,
    total_objects: int | None = None,
) -> list[Path]:
    """Write gzip JSON-lines objects `start` .. `start + count` under `root`."""
    count = spec.event_objects if count is None else count
    total_objects = total_objects or spec.event_objects
    paths = []

    def one(object_no: int) -> Path:
        path = root / event_object_name(object_no)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = ("\n".join(_event_lines(spec, object_no, anchor, total_objects)) + "\n").encode()
        path.write_bytes(gzip.compress(data, compresslevel=6, mtime=0))
        return path

    with ThreadPoolExecutor(max_workers=2) as pool:
        paths = list(pool.map(one, range(start, start + count)))
    return paths


def upload_directory(client: Any, bucket: str, root: Path, prefix: str, paths: list[Path]) -> int:
    """Upload `paths` (under `root`) to `s3://bucket/prefix/...`, concurrently."""

    def put(path: Path) -> int:
        key = f"{prefix}/{path.relative_to(root).as_posix()}"
        client.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
        return path.stat().st_size

    with ThreadPoolExecutor(max_workers=8) as pool:
        return sum(pool.map(put, paths))
