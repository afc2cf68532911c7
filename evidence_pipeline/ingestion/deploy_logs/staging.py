"""Stage what was read into temporary tables of the warehouse connection.

JSON lines are parsed and checked in bulk by DuckDB (`check_lines.sql`): pieces of text are
handed over as an Arrow table in batches of about `batch_bytes`, split into numbered lines,
validated, and routed to `stg_events` or `stg_quarantine`. Problems found while reading
(truncated gzip, non-UTF-8 bytes) and CloudTrail results are staged from Python.
"""

from __future__ import annotations

from array import array
from itertools import accumulate

import duckdb
import pyarrow as pa

from connectors.cloudtrail import TagChange
from connectors.deploy_logs import LineProblem, ReadObject, TextPiece
from connectors.locations import StoredObject
from evidence_pipeline.sql_files import sql_loader

load = sql_loader(__file__)

DEFAULT_BATCH_BYTES = 64 << 20

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


def _pieces_table(pieces: list[TextPiece]) -> pa.Table:
    """An Arrow table over the pieces' bytes, built from buffers (no per-string conversion:
    the text was checked to be UTF-8 while it was read)."""
    data = b"".join(p.data for p in pieces)
    offsets = array("q", [0])
    offsets.extend(accumulate(len(p.data) for p in pieces))
    content = pa.LargeStringArray.from_buffers(
        len(pieces), pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)
    )
    return pa.table(
        {
            "uri": pa.array([p.uri for p in pieces], pa.string()),
            "first_line": pa.array([p.first_line for p in pieces], pa.int64()),
            "content": content,
        }
    )


class Staging:
    """The staging tables of one ingestion, on the writer's connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        stamp: dict[str, object],
        batch_bytes: int = DEFAULT_BATCH_BYTES,
    ):
        """`stamp` is `{"ingested_at": ..., "ingestion_id": ...}` for the rows landed."""
        self.con = con
        self.stamp = stamp
        self.batch_bytes = batch_bytes
        self._pieces: list[TextPiece] = []
        self._objects: list[list[object]] = []
        self._pending_bytes = 0
        con.execute(load("create_staging.sql"))

    def add_piece(self, piece: TextPiece) -> None:
        self._pieces.append(piece)
        self._pending_bytes += len(piece.data)
        if self._pending_bytes >= self.batch_bytes:
            self.flush()

    def flush(self) -> None:
        """Parse and check the pending pieces in DuckDB."""
        if not self._pieces:
            return
        self.con.register("pieces", _pieces_table(self._pieces))
        self._pieces = []
        self._pending_bytes = 0
        self.con.execute(load("split_pieces.sql"))
        self.con.unregister("pieces")
        self.con.execute(load("count_lines.sql"))
        self.con.execute(load("check_lines.sql"))
        self.con.execute("DROP TABLE piece_lines")
        self.con.execute(load("stage_checked_lines.sql"), self.stamp)
        self.con.execute(load("stage_bad_lines.sql"))
        self.con.execute("DROP TABLE checked_lines")

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
