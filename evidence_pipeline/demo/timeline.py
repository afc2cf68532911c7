"""Instants of the demo estate, relative to the moment it is built."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True)
class Timeline:
    """`now` is when the estate is built; every instant of the estate is `ago(...)` it."""

    now: datetime

    @classmethod
    def starting(cls, now: datetime | None) -> Timeline:
        return cls((now or datetime.now(UTC)).astimezone(UTC))

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)


def rfc3339(instant: datetime) -> str:
    """`2026-11-27T10:15:00Z`: UTC with a `Z`, as log shippers and CloudTrail write it."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_millis(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)
