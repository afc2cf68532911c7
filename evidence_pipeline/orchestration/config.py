"""Orchestration settings from the environment, read when the definitions load."""

import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from evidence_pipeline.jobs import WRITER_TAGS
from evidence_pipeline.settings import SettingsError

DEFAULT_SCHEDULE_CRON = "0 5 * * *"
DEFAULT_SCHEDULE_TIMEZONE = "UTC"
DEFAULT_SENSOR_INTERVAL_SECONDS = 300

# Runs that write the warehouse carry this tag (defined with the jobs).
WAREHOUSE_WRITER_TAGS = WRITER_TAGS


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


@dataclass(frozen=True)
class OrchestrationSettings:
    schedule_cron: str = DEFAULT_SCHEDULE_CRON
    schedule_timezone: str = DEFAULT_SCHEDULE_TIMEZONE
    sensor_interval_seconds: int = DEFAULT_SENSOR_INTERVAL_SECONDS

    @classmethod
    def from_env(cls) -> "OrchestrationSettings":
        timezone = _env("EVIDENCE_SCHEDULE_TIMEZONE") or DEFAULT_SCHEDULE_TIMEZONE
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"EVIDENCE_SCHEDULE_TIMEZONE={timezone!r} is not an IANA time zone "
                "(e.g. UTC, Europe/Paris)"
            ) from None
        interval = _env("EVIDENCE_SENSOR_INTERVAL_SECONDS")
        try:
            seconds = int(interval) if interval else DEFAULT_SENSOR_INTERVAL_SECONDS
        except ValueError:
            seconds = 0
        if seconds < 1:
            raise SettingsError(
                f"EVIDENCE_SENSOR_INTERVAL_SECONDS={interval!r} is not a positive whole number"
            )
        return cls(
            schedule_cron=_env("EVIDENCE_SCHEDULE_CRON") or DEFAULT_SCHEDULE_CRON,
            schedule_timezone=timezone,
            sensor_interval_seconds=seconds,
        )


@dataclass(frozen=True)
class FreshnessSettings:
    """When evidence counts as overdue in the UI: WARN after `warn_hours` without a
    materialisation, FAIL after `fail_hours` (the daily schedule keeps both well away)."""

    warn_hours: float = 26
    fail_hours: float = 50

    @classmethod
    def from_env(cls) -> "FreshnessSettings":
        values = {}
        for name, variable in (
            ("warn_hours", "EVIDENCE_FRESHNESS_WARN_HOURS"),
            ("fail_hours", "EVIDENCE_FRESHNESS_FAIL_HOURS"),
        ):
            text = _env(variable)
            if text is None:
                continue
            try:
                values[name] = float(text)
            except ValueError:
                values[name] = -1.0
            if values[name] <= 0:
                raise SettingsError(f"{variable}={text!r} is not a positive number of hours")
        settings = cls(**values)
        if settings.warn_hours >= settings.fail_hours:
            raise SettingsError(
                "EVIDENCE_FRESHNESS_WARN_HOURS must be less than EVIDENCE_FRESHNESS_FAIL_HOURS "
                f"({settings.warn_hours:g} >= {settings.fail_hours:g})"
            )
        return settings
