"""What a sensor remembers between ticks: a fingerprint of everything it saw at a source.

A fingerprint is the SHA-256 of the sorted entries (an object's key and version token, or a
registry entry's content), so it moves when anything is added, changed or removed, and a tick
that finds the same fingerprint requests nothing. The cursor is JSON a person can read in the
UI: the fingerprint, how many entries it covers, and the newest modification seen.
"""

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.locations import StoredObject
from connectors.mlflow_registry import RegistrySnapshot


@dataclass(frozen=True)
class SourceCursor:
    fingerprint: str
    entries: int
    newest: str | None = None

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> "SourceCursor | None":
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(str(data["fingerprint"]), int(data["entries"]), data.get("newest"))
        except (ValueError, KeyError, TypeError):
            return None  # a cursor from an older version: start afresh


def _fingerprint(lines: Iterable[str]) -> tuple[str, int]:
    digest = hashlib.sha256()
    count = 0
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
        count += 1
    return digest.hexdigest(), count


def objects_cursor(objects: Iterable[StoredObject]) -> SourceCursor:
    """The cursor of the files or S3 objects listed at a location."""
    listed = list(objects)
    fingerprint, count = _fingerprint(f"{o.key}\t{o.version_token}" for o in listed)
    newest = max((o.modified_at for o in listed), default=None)
    return SourceCursor(fingerprint, count, newest.isoformat() if newest else None)


def registry_cursor(snapshot: RegistrySnapshot) -> SourceCursor:
    """The cursor of an MLflow registry: every model and version with its tags and aliases
    (setting a tag does not move MLflow's update time, so the content itself is compared)."""
    entries = [
        json.dumps(["model", dataclasses.asdict(m)], sort_keys=True, default=str)
        for m in snapshot.registered_models
    ] + [
        json.dumps(["version", dataclasses.asdict(v)], sort_keys=True, default=str)
        for v in snapshot.model_versions
    ]
    fingerprint, count = _fingerprint(entries)
    updated = [
        e.last_updated_at_ms
        for e in [*snapshot.registered_models, *snapshot.model_versions]
        if e.last_updated_at_ms is not None
    ]
    newest = datetime.fromtimestamp(max(updated) / 1000, tz=UTC).isoformat() if updated else None
    return SourceCursor(fingerprint, count, newest)
