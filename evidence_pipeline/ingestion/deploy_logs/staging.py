"""Stage what was read on the warehouse connection, batch by batch.

JSON lines are parsed and checked in bulk by DuckDB (`check_lines.sql`): numbered lines
(Arrow batches from `connectors.deploy_logs.lines_batch`) are handed over in batches of
`batch_lines` lines (or `batch_bytes`, whichever comes first); the good lines land in
`deployment_events` at once (one statement per batch), and only a batch where some line did
not land is checked again to stage its bad lines for quarantine.

Memory does not grow with the number of events: nothing but counts and bad lines is kept
between batches, and each batch is big enough for every DuckDB thread of its INSERT to get at
least a row group of rows, which DuckDB then writes to the database file at once (a thread
with less keeps its rows in memory until the transaction commits, and appends them more
slowly). Problems found while reading (truncated gzip, non-UTF-8 bytes) and CloudTrail
results are staged from Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

from connectors.cloudtrail import TagChange
from connectors.deploy_logs import LINES_SCHEMA, LineProblem, ReadObject
from connectors.locations import StoredObject
from evidence_pipeline.sql_files import sql_loader

load = sql_loader(__file__)

DEFAULT_BATCH_BYTES = 256 << 20  # Arrow bytes of a batch: a bound for very long lines
DUCKDB_ROW_GROUP_ROWS = 122_880  # DuckDB's rows per row group


def lines_per_batch(con: duckdb.DuckDBPyConnection) -> int:
    """Lines per batch for the connection's threads: one and a half row groups each."""
    (threads,) = con.execute("SELECT current_setting('threads')").fetchone()
    return int(threads) * DUCKDB_ROW_GROUP_ROWS * 3 // 2


_EVENT_COLUMNS = (
    "event_id",
    "event_time",
    "event_type",
    "model_name",
    "model_version",
    "environment",
    "endpoint",
    "actor",
    "approved_by",
    "change_ticket",
    "status",
    "incident_id",
    "details",
    "raw",
    "source_format",
    "source_uri",
    "source_line",
    "content_hash",
)


class Staging:
    """The staging tables of one ingestion, on the writer's connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        stamp: dict[str, object],
        batch_bytes: int = DEFAULT_BATCH_BYTES,
        batch_lines: int | None = None,
    ):
        """`stamp` is `{"ingested_at": ..., "ingestion_id": ...}` for the rows landed;
        `batch_lines` defaults to `lines_per_batch(con)`."""
        self.con = con
        self.stamp = stamp
        self.batch_bytes = batch_bytes
        self.batch_lines = batch_lines or lines_per_batch(con)
        self._lines: list[pa.RecordBatch] = []
        self._objects: list[list[object]] = []
        self._pending_bytes = 0
        self._pending_lines = 0
        self.lines_landed = 0
        self.batches_with_bad_lines = 0
        con.execute(load("create_staging.sql"))
        # The macro is checked against the lines' schema when it is created, and reads
        # whatever batch is registered as `batch_lines` when it runs.
        con.register("batch_lines", LINES_SCHEMA.empty_table())
        try:
            con.execute(load("check_lines.sql"))
        finally:
            con.unregister("batch_lines")

    def add_lines(self, batch: pa.RecordBatch) -> None:
        """Numbered lines of one object (`connectors.deploy_logs.lines_batch`)."""
        self._lines.append(batch)
        self._pending_bytes += batch.nbytes
        self._pending_lines += batch.num_rows
        if self._pending_lines >= self.batch_lines or self._pending_bytes >= self.batch_bytes:
            self.flush()

    def flush(self) -> None:
        """Count, parse, check and land the pending lines in DuckDB; stage the bad ones."""
        if not self._lines:
            return
        batches, self._lines = self._lines, []
        self._pending_bytes = 0
        self._pending_lines = 0
        with self._registered(batches):
            counts = self.con.execute(load("count_lines.sql")).fetchall()
        with_content = sum(n for (n,) in counts)
        with self._registered(batches):
            (landed,) = self.con.execute(load("land_lines.sql"), self.stamp).fetchone()
        self.lines_landed += landed
        if landed < with_content:
            self.batches_with_bad_lines += 1
            with self._registered(batches):
                self.con.execute(load("stage_bad_lines.sql"))

    @contextmanager
    def _registered(self, batches: list[pa.RecordBatch]) -> Iterator[None]:
        """The batches as `batch_lines`, for one statement. A stream of batches rather than a
        table: DuckDB keeps a registered table (and so the text) alive until the transaction
        ends, but lets go of a stream once it has been read."""
        self.con.register("batch_lines", pa.RecordBatchReader.from_batches(LINES_SCHEMA, batches))
        try:
            yield
        finally:
            self.con.unregister("batch_lines")

    def flush_objects(self) -> None:
        """Stage the objects recorded so far, in one statement."""
        if not self._objects:
            return
        columns = list(zip(*self._objects, strict=True))
        names = ("uri", "version_token", "size", "modified_at", "source_format")
        names += ("records_read", "skipped", "substituted_lines")
        self.con.register("read_objects", pa.table(dict(zip(names, columns, strict=True))))
        self.con.execute(load("stage_objects.sql"))
        self.con.unregister("read_objects")
        self._objects = []

    def add_problems(self, problems: list[LineProblem]) -> None:
        if problems:
            table = pa.table(
                {
                    "uri": pa.array([p.uri for p in problems], pa.string()),
                    "line": pa.array([p.line for p in problems], pa.int64()),
                    "error": pa.array([p.error for p in problems], pa.string()),
                    "raw": pa.array([p.raw for p in problems], pa.string()),
                }
            )
            self.con.register("read_problems", table)
            self.con.execute(load("stage_problems.sql"))
            self.con.unregister("read_problems")

    def add_object(
        self,
        obj: StoredObject,
        source_format: str,
        records_read: int,
        skipped: int = 0,
        substituted_lines: int = 0,
    ) -> None:
        """Record an object as read; `records_read` counts what was not read as JSON lines."""
        self._objects.append(
            [
                obj.uri,
                obj.version_token,
                obj.size,
                obj.modified_at,
                source_format,
                records_read,
                skipped,
                substituted_lines,
            ]
        )

    def add_jsonl_object(self, state: ReadObject) -> None:
        """Record a JSON-lines object once its pieces were added: its reading problems are
        records read and quarantined (the pieces' lines are counted in SQL)."""
        self.add_problems(state.problems)
        self.add_object(
            state.obj,
            "jsonl",
            records_read=len(state.problems),
            substituted_lines=state.substituted_lines,
        )

    def add_events(self, rows: list[dict]) -> None:
        if not rows:
            return
        events = pa.Table.from_pylist(
            [{column: row[column] for column in _EVENT_COLUMNS} for row in rows]
        )
        self.con.register("trail_events", events)
        self.con.execute(load("stage_trail_events.sql"), self.stamp)
        self.con.unregister("trail_events")

    def add_tag_changes(self, changes: list[TagChange]) -> None:
        if changes:
            self.con.executemany(
                load("stage_tag_change.sql"),
                [
                    [
                        c.endpoint_arn,
                        c.endpoint_name,
                        list(c.tags.keys()),
                        list(c.tags.values()),
                        c.valid_from,
                        c.source_event_id,
                        c.source_uri,
                    ]
                    for c in changes
                ],
            )

    def tag_history_rows(self) -> list[tuple]:
        return self.con.execute(load("known_endpoint_tags.sql")).fetchall()
