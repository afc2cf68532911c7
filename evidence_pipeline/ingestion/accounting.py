"""What each ingestion records about itself, and the quarantine every source writes to.

For each source and run: records read = rows landed + quarantined + skipped. An ingestion
starts a row in `ingestion_runs`, counts as it goes (`IngestionTally`), and finishes the row
inside the same transaction as its data, so a crash leaves neither behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from connectors.redaction import redact_uri, scrub
from evidence_pipeline.settings import utc_now


@dataclass
class QuarantinedRecord:
    location: str
    line: int | None
    error: str
    raw: str | None


@dataclass
class IngestionTally:
    objects_listed: int = 0
    objects_read: int = 0
    records_read: int = 0
    rows_landed: int = 0
    quarantined: int = 0
    skipped: int = 0
    quarantine: list[QuarantinedRecord] = field(default_factory=list)

    def add_quarantine(self, location: str, line: int | None, error: str, raw: str | None) -> None:
        self.quarantine.append(QuarantinedRecord(location, line, error, raw))
        self.quarantined += 1

    @property
    def adds_up(self) -> bool:
        return self.records_read == self.rows_landed + self.quarantined + self.skipped


def new_ingestion_id(source: str) -> str:
    return f"{source}-{uuid.uuid4().hex[:16]}"


def write_quarantine(
    con: duckdb.DuckDBPyConnection,
    source: str,
    records: list[QuarantinedRecord],
    ingestion_id: str,
    ingested_at: datetime,
) -> None:
    if not records:
        return
    con.executemany(
        "INSERT INTO quarantine (source, location, line, error, raw, ingested_at, ingestion_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [
                source,
                redact_uri(r.location),
                r.line,
                scrub(r.error),
                r.raw,
                ingested_at,
                ingestion_id,
            ]
            for r in records
        ],
    )


def record_ingestion_run(
    con: duckdb.DuckDBPyConnection,
    *,
    ingestion_id: str,
    run_id: str | None,
    source: str,
    location: str | None,
    started_at: datetime,
    status: str,
    tally: IngestionTally,
    message: str | None = None,
    finished_at: datetime | None = None,
) -> None:
    """Insert the run's row, its quarantine included; call inside the ingestion's transaction."""
    finished = finished_at or utc_now()
    write_quarantine(con, source, tally.quarantine, ingestion_id, finished)
    con.execute(
        """
        INSERT INTO ingestion_runs (ingestion_id, run_id, source, location, started_at,
            finished_at, status, objects_listed, objects_read, records_read, rows_landed,
            quarantined, skipped, message)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            ingestion_id,
            run_id,
            source,
            redact_uri(location),
            started_at,
            finished,
            status,
            tally.objects_listed,
            tally.objects_read,
            tally.records_read,
            tally.rows_landed,
            tally.quarantined,
            tally.skipped,
            scrub(message),
        ],
    )
