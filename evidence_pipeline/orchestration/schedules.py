"""The daily schedule: ingest every source and evaluate every control."""

import dagster as dg

from evidence_pipeline.jobs import evidence_job
from evidence_pipeline.orchestration.config import WAREHOUSE_WRITER_TAGS, OrchestrationSettings
from evidence_pipeline.settings import SettingsError


def build_evidence_schedule(settings: OrchestrationSettings) -> dg.ScheduleDefinition:
    try:
        return dg.ScheduleDefinition(
            name="evidence_daily",
            job=evidence_job,
            cron_schedule=settings.schedule_cron,
            execution_timezone=settings.schedule_timezone,
            tags=WAREHOUSE_WRITER_TAGS,
            default_status=dg.DefaultScheduleStatus.RUNNING,
            description=(
                "Ingest new evidence from every configured source, then evaluate every control "
                f"(EVIDENCE_SCHEDULE_CRON={settings.schedule_cron!r}, "
                f"EVIDENCE_SCHEDULE_TIMEZONE={settings.schedule_timezone!r})."
            ),
        )
    except dg.DagsterInvalidDefinitionError as exc:
        raise SettingsError(
            f"EVIDENCE_SCHEDULE_CRON={settings.schedule_cron!r} is not a cron schedule "
            f"(e.g. '0 5 * * *'): {exc}"
        ) from None
