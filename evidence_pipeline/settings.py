"""Configuration from the environment (evidence-model.md, section 1).

Standard variables where a standard exists (`MLFLOW_TRACKING_URI`, boto3's own `AWS_*`),
the project's own under `EVIDENCE_`. A source that is not configured is `None` and its
ingestion is skipped with a clear message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_WAREHOUSE = "evidence.duckdb"


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def parse_instant(value: str, variable: str = "EVIDENCE_AS_OF") -> datetime:
    """Parse an RFC 3339 instant (a `Z` or an offset is required) into an aware UTC datetime."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise SettingsError(
            f"{variable}={value!r} is not an RFC 3339 timestamp (e.g. 2026-06-30T23:59:59Z)"
        ) from None
    if instant.tzinfo is None:
        raise SettingsError(f"{variable}={value!r} has no UTC offset; add Z or +HH:MM")
    return instant.astimezone(UTC)


def validate_as_of(as_of: datetime | None, now: datetime | None = None) -> datetime | None:
    """Refuse an evaluation instant in the future: evidence of tomorrow does not exist yet."""
    if as_of is None:
        return None
    now = now or datetime.now(UTC)
    if as_of > now:
        raise SettingsError(
            f"EVIDENCE_AS_OF={as_of.isoformat()} is later than now ({now.isoformat()}); "
            "controls can only be evaluated as of the present or a past instant"
        )
    return as_of


def _paths(value: str | None) -> tuple[Path, ...]:
    if not value:
        return ()
    return tuple(Path(p).expanduser() for p in value.split(os.pathsep) if p.strip())


@dataclass(frozen=True)
class Settings:
    mlflow_tracking_uri: str | None = None
    gx_results: str | None = None
    deploy_logs: str | None = None
    warehouse: Path = field(default_factory=lambda: Path(DEFAULT_WAREHOUSE))
    as_of: datetime | None = None
    mappings_dirs: tuple[Path, ...] = ()
    attestations: Path | None = None
    production_environments: tuple[str, ...] = ("production",)
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int = 2

    @classmethod
    def from_env(cls) -> Settings:
        as_of_text = _env("EVIDENCE_AS_OF")
        as_of = validate_as_of(parse_instant(as_of_text)) if as_of_text else None
        envs = _env("EVIDENCE_PRODUCTION_ENVIRONMENTS")
        attestations = _env("EVIDENCE_ATTESTATIONS")
        threads = _env("EVIDENCE_DUCKDB_THREADS")
        return cls(
            mlflow_tracking_uri=_env("MLFLOW_TRACKING_URI"),
            gx_results=_env("EVIDENCE_GX_RESULTS"),
            deploy_logs=_env("EVIDENCE_DEPLOY_LOGS"),
            warehouse=Path(_env("EVIDENCE_WAREHOUSE") or DEFAULT_WAREHOUSE).expanduser(),
            as_of=as_of,
            mappings_dirs=_paths(_env("EVIDENCE_MAPPINGS")),
            attestations=Path(attestations).expanduser() if attestations else None,
            production_environments=tuple(e.strip().lower() for e in envs.split(",") if e.strip())
            if envs
            else ("production",),
            duckdb_memory_limit=_env("EVIDENCE_DUCKDB_MEMORY_LIMIT") or "2GB",
            duckdb_threads=_positive_int("EVIDENCE_DUCKDB_THREADS", threads) if threads else 2,
        )


def _positive_int(variable: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise SettingsError(f"{variable}={text!r} is not a whole number of at least 1")
    return value


def utc_now() -> datetime:
    return datetime.now(UTC)
