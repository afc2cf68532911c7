"""Schedules and sensors: keep evidence current without anyone starting a run.

Settings come from the environment when the definitions load (docs/operations.md):
`EVIDENCE_SCHEDULE_CRON`, `EVIDENCE_SCHEDULE_TIMEZONE`, `EVIDENCE_SENSOR_INTERVAL_SECONDS`.
"""

from evidence_pipeline.orchestration.config import OrchestrationSettings
from evidence_pipeline.orchestration.schedules import build_evidence_schedule
from evidence_pipeline.orchestration.sensors import build_sensors

_settings = OrchestrationSettings.from_env()
schedules = [build_evidence_schedule(_settings)]
sensors = build_sensors(_settings)

__all__ = ["schedules", "sensors"]
