"""The jobs: everything, ingestion only, evaluation only."""

from __future__ import annotations

import dagster as dg

INGESTION_GROUPS = ("ingestion_mlflow", "ingestion_gx", "ingestion_deploy_logs")
CONTROLS_GROUP = "controls"
# Daily-partitioned evaluation of past days, launched from the UI for a range (a backfill).
HISTORY_GROUP = "controls_history"
# Runs with this tag are queued one at a time (dagster_home/dagster.yaml); the warehouse's file
# lock also keeps out writers that do not go through the run queue.
WRITER_TAGS = {"evidence/warehouse-writer": "true"}

evidence_job = dg.define_asset_job(
    "evidence_job",
    tags=WRITER_TAGS,
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(HISTORY_GROUP),
    description="Ingest every configured source, then evaluate every control.",
)
ingestion_job = dg.define_asset_job(
    "ingestion_job",
    tags=WRITER_TAGS,
    selection=dg.AssetSelection.groups(*INGESTION_GROUPS),
    description="Ingest new evidence from every configured source.",
)
evaluation_job = dg.define_asset_job(
    "evaluation_job",
    tags=WRITER_TAGS,
    selection=dg.AssetSelection.groups(CONTROLS_GROUP),
    description="Evaluate every control on the stored evidence.",
)
jobs = [evidence_job, ingestion_job, evaluation_job]
