"""The registry snapshot as Arrow tables, so DuckDB stages it in one insert, not row by row."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from connectors.mlflow_registry import ModelVersionRecord, RegisteredModelRecord, RunRecord
from connectors.redaction import scrub, secret_values

STRING_MAP = pa.map_(pa.string(), pa.string())
NUMBER_MAP = pa.map_(pa.string(), pa.float64())
INSTANT = pa.timestamp("ms", tz="UTC")


def _scrubbed(values: list[str | None]) -> list[str | None]:
    """`values` without secrets; `scrub` only where one could be (a known value, or user info)."""
    secrets = secret_values()
    return [
        scrub(v) if v and ("@" in v or any(secret in v for secret in secrets)) else v
        for v in values
    ]


def _scrubbed_maps(maps: list[dict[str, str]]) -> list[list[tuple[str, str]]]:
    """Each map's entries, its values without secrets (tags and params are free text)."""
    secrets = secret_values()
    return [
        [
            (k, scrub(v) if v and ("@" in v or any(s in v for s in secrets)) else v)
            for k, v in m.items()
        ]
        for m in maps
    ]


def registered_models_table(records: Sequence[RegisteredModelRecord]) -> pa.Table:
    return pa.table(
        {
            "name": pa.array([r.name for r in records], pa.string()),
            "description": pa.array(_scrubbed([r.description for r in records]), pa.string()),
            "tags": pa.array(_scrubbed_maps([r.tags for r in records]), STRING_MAP),
            "aliases": pa.array([list(r.aliases.items()) for r in records], STRING_MAP),
            "created_at": pa.array([r.created_at_ms for r in records], INSTANT),
            "last_updated_at": pa.array([r.last_updated_at_ms for r in records], INSTANT),
        }
    )


def model_versions_table(records: Sequence[ModelVersionRecord]) -> pa.Table:
    return pa.table(
        {
            "name": pa.array([r.name for r in records], pa.string()),
            "version": pa.array([r.version for r in records], pa.string()),
            "tags": pa.array(_scrubbed_maps([r.tags for r in records]), STRING_MAP),
            "aliases": pa.array([r.aliases for r in records], pa.list_(pa.string())),
            "status": pa.array([r.status for r in records], pa.string()),
            "current_stage": pa.array([r.current_stage for r in records], pa.string()),
            "description": pa.array(_scrubbed([r.description for r in records]), pa.string()),
            "source": pa.array(_scrubbed([r.source for r in records]), pa.string()),
            "run_id": pa.array([r.run_id for r in records], pa.string()),
            "user_id": pa.array([r.user_id for r in records], pa.string()),
            "created_at": pa.array([r.created_at_ms for r in records], INSTANT),
            "last_updated_at": pa.array([r.last_updated_at_ms for r in records], INSTANT),
        }
    )


def runs_table(records: Sequence[RunRecord]) -> pa.Table:
    return pa.table(
        {
            "run_id": pa.array([r.run_id for r in records], pa.string()),
            "experiment_id": pa.array([r.experiment_id for r in records], pa.string()),
            "run_name": pa.array([r.run_name for r in records], pa.string()),
            "status": pa.array([r.status for r in records], pa.string()),
            "lifecycle_stage": pa.array([r.lifecycle_stage for r in records], pa.string()),
            "user_id": pa.array([r.user_id for r in records], pa.string()),
            "start_time": pa.array([r.start_time_ms for r in records], INSTANT),
            "end_time": pa.array([r.end_time_ms for r in records], INSTANT),
            "params": pa.array(_scrubbed_maps([r.params for r in records]), STRING_MAP),
            "metrics": pa.array([list(r.metrics.items()) for r in records], NUMBER_MAP),
            "tags": pa.array(_scrubbed_maps([r.tags for r in records]), STRING_MAP),
        }
    )


def dataset_inputs_table(records: Sequence[RunRecord]) -> pa.Table:
    rows = [(r.run_id, d) for r in records for d in r.dataset_inputs]
    return pa.table(
        {
            "run_id": pa.array([run_id for run_id, _ in rows], pa.string()),
            "dataset_name": pa.array([d.name for _, d in rows], pa.string()),
            "digest": pa.array([d.digest for _, d in rows], pa.string()),
            "source_type": pa.array([d.source_type for _, d in rows], pa.string()),
            "source": pa.array(_scrubbed([d.source for _, d in rows]), pa.string()),
            "context": pa.array([d.context for _, d in rows], pa.string()),
        }
    )
