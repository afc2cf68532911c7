"""Stage what was read on the warehouse connection.

JSON lines are parsed and checked in bulk by DuckDB (`check_lines.sql`): numbered lines
(Arrow batches from `connectors.deploy_logs.lines_batch`) stream into one `INSERT`
(`land_lines.sql`) while they are still being read. The good lines land in
`deployment_events`; a bad line is handed, in the same statement, to `quarantined()`, a
function that keeps it (with its reason) until the statement ends, when it is staged for
quarantine. Blank lines are counted in Arrow as the batches go by.

One statement for all the lines, rather than one per batch, is what makes landing cheap:
DuckDB writes each thread's full row groups to the database file as they fill, and only the
last, partial ones are merged at the end. With a statement per batch of 368,640 lines, the
partial row groups of every statement were merged and rewritten at the commit (1 to 4 CPU-s
for a million lines, 40 to 100 MiB of the file left as free blocks).

Memory does not grow with the number of events: DuckDB lets go of each batch once read, and
nothing but counts, objects and bad lines is kept; when the bad lines held reach
`bad_line_bytes`, the statement ends there and another one lands the rest. Problems found
while reading (truncated gzip, non-UTF-8 bytes) and CloudTrail results are staged from Python.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from connectors.cloudtrail import TagChange
from connectors.deploy_logs import LINES_SCHEMA, LineProblem, ReadObject, blank_lines
from connectors.locations import StoredObject
from evidence_pipeline.sql_files import sql_loader

load = sql_loader(__file__)

DEFAULT_BAD_LINE_BYTES = 64 << 20  # text of bad lines held before they are staged, at most

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


class _LineStream:
    """The batches of lines to land, as DuckDB reads them: counts blank lines per object,
    stops early when `stop()` says so (the rest is landed by the next statement), and keeps
    the first exception raised while reading, which DuckDB would only report as text."""

    def __init__(
        self,
        batches: Iterator[pa.RecordBatch],
        line_counts: dict[str, list[int]],
        stop: Callable[[], bool],
    ):
        self._batches = batches
        self._line_counts = line_counts
        self.stop = stop
        self.exhausted = False
        self.failure: BaseException | None = None

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        try:
            while not self.stop():
                batch = next(self._batches, None)
                if batch is None:
                    self.exhausted = True
                    return
                if batch.num_rows:
                    self._count(batch)
                    yield batch
        except BaseException as exc:
            self.failure = exc
            raise

    def _count(self, batch: pa.RecordBatch) -> None:
        uris = batch.column(0).unique()
        if len(uris) == 1:  # as from `lines_batch`: the lines of one object
            parts = [(uris[0].as_py(), batch.column(2))]
        else:
            parts = [
                (uri, batch.column(2).filter(pc.equal(batch.column(0), uri)))
                for uri in uris.to_pylist()
            ]
        for uri, text in parts:
            blank = blank_lines(text)
            counts = self._line_counts.setdefault(uri, [0, 0])
            counts[0] += len(text) - blank
            counts[1] += blank


def parses_as_json(text: str) -> bool:
    """Whether Python's json reads `text`: DuckDB's `json_valid()` also takes a trailing comma
    (`{"a": 1,}`), which no JSON reader does."""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


class Staging:
    """The staging tables of one ingestion, on the writer's connection."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        stamp: dict[str, object],
        bad_line_bytes: int = DEFAULT_BAD_LINE_BYTES,
    ):
        """`stamp` is `{"ingested_at": ..., "ingestion_id": ...}` for the rows landed."""
        self.con = con
        self.stamp = stamp
        self.bad_line_bytes = bad_line_bytes
        self._objects: list[list[object]] = []
        self._read_problems: list[LineProblem] = []
        self._line_counts: dict[str, list[int]] = {}
        self._bad_lines: list[pa.Table] = []
        self._bad_bytes = 0
        self.statements = 0
        con.execute(load("create_staging.sql"))
        with suppress(duckdb.InvalidInputException):
            con.remove_function("quarantined")  # from an earlier staging on this connection
        con.create_function(
            "quarantined",
            self._hold_bad_lines,
            ["VARCHAR", "BIGINT", "VARCHAR", "VARCHAR"],
            "BOOLEAN",
            type="arrow",
            null_handling="special",
            side_effects=True,  # called for its effect: never folded, cached or skipped
        )
        with suppress(duckdb.InvalidInputException):
            con.remove_function("parses_as_json")
        con.create_function("parses_as_json", parses_as_json, ["VARCHAR"], "BOOLEAN")
        # The macro is checked against the lines' schema when it is created, and reads
        # whatever is registered as `batch_lines` when it runs.
        con.register("batch_lines", LINES_SCHEMA.empty_table())
        try:
            con.execute(load("check_lines.sql"))
        finally:
            con.unregister("batch_lines")

    def _hold_bad_lines(
        self, uri: pa.Array, line: pa.Array, error: pa.Array, text: pa.Array
    ) -> pa.Array:
        """`quarantined(uri, line, error, text)`: keeps the bad lines DuckDB hands over (only
        those: it is called in the `CASE` branch of lines that do not land) and answers false,
        so that they do not land."""
        table = pa.table({"uri": uri, "line": line, "error": error, "raw": text})
        if table.num_rows:
            self._bad_lines.append(table)
            self._bad_bytes += table.nbytes
        return pa.nulls(len(uri), pa.bool_()).fill_null(False)

    def land_lines(self, batches: Iterable[pa.RecordBatch]) -> None:
        """Count, parse, check and land the lines of `batches` (each holding lines of one object,
        from `lines_batch`), in one statement as they come; stage the bad ones. An exception
        raised while iterating `batches` is raised again here, as it was."""
        stream = _LineStream(
            iter(batches), self._line_counts, lambda: self._bad_bytes >= self.bad_line_bytes
        )
        while not stream.exhausted:
            # A stream, not a registered table: DuckDB lets go of each batch once read.
            self.con.register(
                "batch_lines", pa.RecordBatchReader.from_batches(LINES_SCHEMA, iter(stream))
            )
            try:
                self.con.execute(load("land_lines.sql"), self.stamp)
            except duckdb.Error as exc:
                if stream.failure is not None:
                    raise stream.failure from exc
                raise
            finally:
                self.con.unregister("batch_lines")
            self.statements += 1
            self._stage_bad_lines()

    def _stage_bad_lines(self) -> None:
        if self._bad_lines:
            self._stage("bad_lines", pa.concat_tables(self._bad_lines), "stage_bad_lines.sql")
            self._bad_lines = []
            self._bad_bytes = 0

    def _stage(self, name: str, table: pa.Table, sql_file: str, params: dict | None = None) -> None:
        """Run `sql_file` with `table` registered as `name` for it."""
        self.con.register(name, table)
        try:
            self.con.execute(load(sql_file), params)
        finally:
            self.con.unregister(name)

    def flush_objects(self) -> None:
        """Stage the objects recorded so far, their reading problems and their line counts
        (held while the lines were landing, when the connection is busy)."""
        self.add_problems(self._read_problems)
        self._read_problems = []
        if self._line_counts:
            uris = list(self._line_counts)
            nonempty, empty = zip(*self._line_counts.values(), strict=True)
            counts = pa.table(
                {
                    "uri": pa.array(uris, pa.string()),
                    "nonempty_lines": pa.array(nonempty, pa.int64()),
                    "empty_lines": pa.array(empty, pa.int64()),
                }
            )
            self._stage("line_counts", counts, "stage_line_counts.sql")
            self._line_counts.clear()
        if not self._objects:
            return
        columns = list(zip(*self._objects, strict=True))
        names = ("uri", "version_token", "size", "modified_at", "source_format")
        names += ("records_read", "skipped", "substituted_lines")
        objects = pa.table(dict(zip(names, columns, strict=True)))
        self._stage("read_objects", objects, "stage_objects.sql")
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
            self._stage("read_problems", table, "stage_problems.sql")

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
        """Record a JSON-lines object once its lines were handed over: its reading problems are
        records read and quarantined (its lines are counted as they land). Held until
        `flush_objects`, so it may be called while lines are landing."""
        self._read_problems.extend(state.problems)
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
        self._stage("trail_events", events, "stage_trail_events.sql", self.stamp)

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
                        c.change,
                        list(c.delta.keys()),
                        list(c.delta.values()),
                        list(c.removed),
                    ]
                    for c in changes
                ],
            )

    def tag_history_rows(self) -> list[tuple]:
        return self.con.execute(load("known_endpoint_tags.sql")).fetchall()
