"""Build small ML estates by inserting evidence rows into the warehouse, as ingestion would.

Control evaluation reads the warehouse only, so these rows are all a rule ever sees.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from evidence_pipeline.ingestion.accounting import IngestionTally, record_ingestion_run


def at(text: str) -> datetime:
    """`2026-06-30T12:00:00Z` (or a date) as an aware UTC datetime."""
    if len(text) == 10:
        text += "T00:00:00Z"
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _hash(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Estate:
    """Writes evidence rows into a connection (the warehouse's working copy or a test database)."""

    con: duckdb.DuckDBPyConnection
    observed_at: datetime = field(default_factory=lambda: at("2026-01-01T00:00:00Z"))
    _events: int = 0

    def model(
        self,
        name: str,
        tags: dict[str, str] | None = None,
        *,
        created_at: datetime | None = None,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
        observed_at: datetime | None = None,
    ) -> None:
        created = created_at or at("2025-01-01")
        tags = tags or {}
        self.con.execute(
            """
            INSERT INTO mlflow_registered_models (name, tags, created_at, last_updated_at,
                content_hash, valid_from, valid_to, observed_at)
            VALUES (?, MAP(?::VARCHAR[], ?::VARCHAR[]), ?, ?, ?, ?, ?, ?)
            """,
            [
                name,
                list(tags),
                list(tags.values()),
                created,
                created,
                _hash(name, tags),
                valid_from or created,
                valid_to,
                observed_at or self.observed_at,
            ],
        )

    def version(
        self,
        name: str,
        version: str,
        tags: dict[str, str] | None = None,
        *,
        run_id: str | None = None,
        created_at: datetime | None = None,
        valid_from: datetime | None = None,
        valid_to: datetime | None = None,
        observed_at: datetime | None = None,
    ) -> None:
        created = created_at or at("2025-01-01")
        tags = tags or {}
        self.con.execute(
            """
            INSERT INTO mlflow_model_versions (name, version, tags, run_id, created_at,
                last_updated_at, content_hash, valid_from, valid_to, observed_at)
            VALUES (?, ?, MAP(?::VARCHAR[], ?::VARCHAR[]), ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                name,
                version,
                list(tags),
                list(tags.values()),
                run_id,
                created,
                created,
                _hash(name, version, tags),
                valid_from or created,
                valid_to,
                observed_at or self.observed_at,
            ],
        )

    def run(self, run_id: str, *, start_time: datetime | None = None) -> None:
        self.con.execute(
            "INSERT INTO mlflow_runs (run_id, start_time, observed_at) VALUES (?, ?, ?)",
            [run_id, start_time or at("2024-12-01"), self.observed_at],
        )

    def dataset_input(self, run_id: str, name: str, digest: str | None) -> None:
        self.con.execute(
            "INSERT INTO mlflow_run_dataset_inputs (run_id, dataset_name, digest, observed_at) "
            "VALUES (?, ?, ?, ?)",
            [run_id, name, digest, self.observed_at],
        )

    def event(
        self,
        event_type: str,
        event_time: datetime,
        *,
        model_name: str | None = None,
        model_version: str | None = None,
        environment: str = "production",
        endpoint: str | None = None,
        actor: str | None = None,
        approved_by: str | None = None,
        status: str = "succeeded",
        incident_id: str | None = None,
        event_id: str | None = None,
    ) -> str:
        self._events += 1
        event_id = event_id or f"evt-{self._events:04d}"
        fields = {
            "event_id": event_id,
            "event_time": event_time.isoformat(),
            "event_type": event_type,
            "model_name": model_name,
            "model_version": model_version,
            "environment": environment,
            "endpoint": endpoint,
            "actor": actor,
            "approved_by": approved_by,
            "status": status,
            "incident_id": incident_id,
        }
        self.con.execute(
            """
            INSERT INTO deployment_events (event_id, event_time, event_type, model_name,
                model_version, environment, endpoint, actor, approved_by, status, incident_id,
                raw, source_format, source_uri, source_line, content_hash, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'jsonl', 's3://logs/deploy.jsonl', ?,
                ?, ?)
            """,
            [
                event_id,
                event_time,
                event_type,
                model_name,
                model_version,
                environment,
                endpoint,
                actor,
                approved_by,
                status,
                incident_id,
                json.dumps(fields),
                self._events,
                _hash(fields),
                self.observed_at,
            ],
        )
        return event_id

    def deploy(
        self,
        model_name: str,
        model_version: str,
        event_time: datetime,
        *,
        actor: str = "alice",
        approved_by: str | None = "bob",
        **kwargs: Any,
    ) -> str:
        return self.event(
            "deploy",
            event_time,
            model_name=model_name,
            model_version=model_version,
            actor=actor,
            approved_by=approved_by,
            **kwargs,
        )

    def validation(
        self,
        data_asset: str,
        validated_at: datetime,
        success: bool,
        *,
        suite_name: str = "quality",
    ) -> str:
        validation_id = _hash(data_asset, suite_name, validated_at, success)
        datasource, _, asset = data_asset.partition("/")
        self.con.execute(
            """
            INSERT INTO gx_validations (validation_id, data_asset, datasource_name,
                data_asset_name, suite_name, validated_at, success, success_percent,
                gx_format, source_uri, content_hash, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, '1.x', ?, ?, ?)
            """,
            [
                validation_id,
                data_asset,
                datasource,
                asset,
                suite_name,
                validated_at,
                success,
                100.0 if success else 50.0,
                f"file:///gx/validations/{validation_id}.json",
                validation_id,
                self.observed_at,
            ],
        )
        return validation_id

    def ingestion(self, source: str, status: str, started_at: datetime) -> None:
        """Record an ingestion run of a source (`mlflow`, `gx`, `deploy_logs`) as ingestion
        does: `skipped` is what a source that is not configured records."""
        record_ingestion_run(
            self.con,
            ingestion_id=f"{source}-{_hash(source, status, started_at)}",
            run_id=None,
            source=source,
            location=None,
            started_at=started_at,
            status=status,
            tally=IngestionTally(),
            finished_at=started_at,
        )


def days(n: float) -> timedelta:
    return timedelta(days=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
