"""Ingest deployment logs into the warehouse: what the asset runs, without Dagster.

One ingestion: list the location, keep the objects not read before (by URI and version
token), read them concurrently, stage and check their records, then land everything in one
transaction: events, endpoint tags, quarantine, the objects read and the `ingestion_runs` row.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

from connectors.cloudtrail import TagHistory, TagState, TrailFile, interpret, parse_trail_file
from connectors.deploy_logs import (
    DEFAULT_PIECE_BYTES,
    DEPLOY_LOG_SUFFIXES,
    bounded_map,
    is_jsonl,
    lines_batch,
    read_jsonl_object,
    read_jsonl_pieces,
    read_whole_object,
)
from connectors.locations import Location, StoredObject
from connectors.redaction import redact_uri, scrub
from evidence_pipeline.ingestion.accounting import (
    IngestionTally,
    new_ingestion_id,
    record_ingestion_run,
)
from evidence_pipeline.ingestion.deploy_logs.staging import DEFAULT_BAD_LINE_BYTES, Staging
from evidence_pipeline.settings import utc_now
from evidence_pipeline.sql_files import run_script, sql_loader
from evidence_pipeline.warehouse.store import Warehouse

SOURCE = "deploy_logs"
NOT_CONFIGURED = (
    "EVIDENCE_DEPLOY_LOGS is not set: deployment logs were not ingested "
    "(set it to a directory or an s3://bucket/prefix of *.jsonl, *.jsonl.gz and CloudTrail files)"
)

load = sql_loader(__file__)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadOptions:
    """How hard to read: threads, objects in flight, and sizes that bound memory."""

    max_workers: int = 16
    in_flight: int = 256  # objects read ahead of the landing
    bytes_in_flight: int = 32 << 20  # stored (compressed) bytes read ahead of the parser
    bad_line_bytes: int = DEFAULT_BAD_LINE_BYTES  # bad lines held before they are staged
    large_object_bytes: int = 16 << 20  # objects bigger than this are streamed one at a time
    piece_bytes: int = DEFAULT_PIECE_BYTES  # text read at a time from such an object


@dataclass
class DeployLogIngestion:
    """The outcome of one ingestion, for metadata and summaries."""

    ingestion_id: str
    status: str
    location: str | None
    tally: IngestionTally
    empty_lines: int = 0
    events_by_type: dict[str, int] = field(default_factory=dict)
    preview: list[tuple[Any, ...]] = field(default_factory=list)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    message: str | None = None


class _Gone:
    """An object deleted (or rotated away) between the listing and its reading."""


GONE = _Gone()


def _read(location: Location, options: ReadOptions):
    def read(obj: StoredObject):
        try:
            return read_object(obj)
        except FileNotFoundError:
            return GONE

    def read_object(obj: StoredObject):
        if obj.size > options.large_object_bytes:
            return None  # streamed later by the caller, piece by piece
        if is_jsonl(obj):
            state = read_jsonl_object(location, obj)
            # Split into numbered lines here, in the reading threads (Arrow does it outside
            # the interpreter lock); the text is then held once, in the batches.
            lines = [lines_batch(piece) for piece in state.pieces]
            state.pieces.clear()
            return state, lines
        return read_whole_object(location, obj)

    return read


def _stage_objects(
    location: Location, objects: list[StoredObject], staging: Staging, options: ReadOptions
) -> tuple[list[TrailFile], list[StoredObject]]:
    """Land the objects' lines and parse their CloudTrail files; also returns the objects gone
    since the listing (not recorded as read: the next run lists again)."""
    trail_files: list[TrailFile] = []
    gone: list[StoredObject] = []
    results = bounded_map(
        _read(location, options),
        objects,
        max_workers=options.max_workers,
        in_flight=options.in_flight,
        weight=lambda obj: min(obj.size, options.large_object_bytes),
        max_weight_in_flight=options.bytes_in_flight,
    )

    def lines() -> Iterator[pa.RecordBatch]:
        """Every object's lines, in order, as DuckDB lands them (in its thread): so nothing
        here may use the connection (objects and problems are only recorded)."""
        for obj, result in results:
            if result is GONE:
                gone.append(obj)
                continue
            if is_jsonl(obj):
                if result is None:
                    state = None
                    pieces = read_jsonl_pieces(location, obj, options.piece_bytes)
                    try:
                        first = next(pieces)
                    except FileNotFoundError:
                        gone.append(obj)
                        continue
                    for piece, state in itertools.chain([first], pieces):  # noqa: B007
                        if piece is not None:
                            yield lines_batch(piece)
                else:
                    state, batches = result
                    yield from batches
                staging.add_jsonl_object(state)
            else:
                if result is None:
                    try:
                        result = read_whole_object(location, obj)
                    except FileNotFoundError:
                        gone.append(obj)
                        continue
                data, damage = result
                trail = parse_trail_file(obj.uri, data, damage)
                trail_files.append(trail)
                staging.add_object(obj, "cloudtrail", records_read=trail.records_read)

    try:
        staging.land_lines(lines())
    finally:
        results.close()  # stop the reading threads, also when landing failed
    return trail_files, gone


def _tag_history(staging: Staging) -> TagHistory:
    history = TagHistory()
    for endpoint, valid_from, event_id, tags, change, added, removed in staging.tag_history_rows():
        state = TagState(
            valid_from, event_id, dict(tags or {}), change, dict(added or {}), tuple(removed or ())
        )
        history.add(endpoint, state)
    return history


def same_json(text: str | None, other: str | None) -> bool:
    """Whether two texts hold the same JSON value: blanks and the order of keys aside (what
    makes a repeat of an event identical). Text that is not strict JSON is never the same."""
    if text is None or other is None:
        return False
    try:
        # compared as sorted-key JSON, not as Python values (where 1 == 1.0 == true)
        return _sorted_json(text) == _sorted_json(other)
    except orjson.JSONDecodeError:
        return False


def _sorted_json(text: str) -> bytes:
    return orjson.dumps(orjson.loads(text), option=orjson.OPT_SORT_KEYS)


def ingest_deploy_logs(
    warehouse: Warehouse,
    location: Location,
    *,
    run_id: str | None = None,
    options: ReadOptions | None = None,
    preview_rows: int = 20,
) -> DeployLogIngestion:
    """Read what is new at `location` and land it; raises `SourceUnreachableError` when the
    location cannot be read (then nothing is written)."""
    options = options or ReadOptions()
    ingestion_id = new_ingestion_id(SOURCE)
    started_at = utc_now()
    tally = IngestionTally()
    display = redact_uri(location.uri)
    with warehouse.writer() as con:
        # Nothing here relies on row order (lines carry their numbers): let inserts run in
        # parallel. The connection is closed when the writer ends.
        con.execute("SET preserve_insertion_order = false")
        known = dict(con.execute(load("known_objects.sql"), [SOURCE]).fetchall())
        listed = list(location.list_objects(DEPLOY_LOG_SUFFIXES))
        new = [obj for obj in listed if known.get(obj.uri) != obj.version_token]
        tally.objects_listed = len(listed)
        tally.objects_read = len(new)
        log.info("%s: %d objects listed, %d new", display, len(listed), len(new))

        stamp = {"ingested_at": utc_now(), "ingestion_id": ingestion_id}
        con.execute("BEGIN TRANSACTION")
        staging = Staging(con, stamp, options.bad_line_bytes)
        trail_files, gone = _stage_objects(location, new, staging, options)
        if gone:
            tally.objects_read -= len(gone)
            log.warning(
                "%d object(s) deleted since they were listed, not read (the next run lists "
                "again): %s",
                len(gone),
                ", ".join(redact_uri(obj.uri) or obj.uri for obj in gone[:10]),
            )
        staging.flush_objects()
        outcome = interpret(trail_files, _tag_history(staging))
        staging.add_events(outcome.events)
        staging.add_tag_changes(outcome.tag_changes)
        staging.add_problems(outcome.problems)
        for uri, skipped in outcome.skipped.items():
            con.execute(load("add_skipped.sql"), [skipped, uri])

        con.execute(load("hold_back_events.sql"), {"ingestion_id": ingestion_id})
        con.execute(load("insert_quarantine.sql"), stamp)
        if con.execute(load("count_held_back_events.sql")).fetchone()[0]:
            con.create_function("same_json", same_json, ["VARCHAR", "VARCHAR"], "BOOLEAN")
            try:
                con.execute(load("same_json_content.sql"), {"ingestion_id": ingestion_id})
            finally:
                con.remove_function("same_json")
            con.execute(load("insert_conflicts.sql"), stamp)
            con.execute(load("remove_held_back_events.sql"), {"ingestion_id": ingestion_id})
        con.execute(load("insert_endpoint_tags.sql"), stamp)
        run_script(con, load("skip_requarantined.sql"), {"ingestion_id": ingestion_id})
        con.execute(load("object_outcomes.sql"), {"ingestion_id": ingestion_id})
        con.execute(load("record_ingested_objects.sql"), stamp)
        _, records, landed, quarantined, skipped, empty = con.execute(
            load("run_totals.sql")
        ).fetchone()
        tally.records_read = int(records)
        tally.rows_landed = int(landed)
        tally.quarantined = int(quarantined)
        tally.skipped = int(skipped)
        message = (
            f"{len(new)} of {len(listed)} objects were new; {tally.rows_landed} events landed, "
            f"{tally.quarantined} quarantined, {tally.skipped} skipped, {int(empty)} blank lines"
        )
        record_ingestion_run(
            con,
            ingestion_id=ingestion_id,
            run_id=run_id,
            source=SOURCE,
            location=location.uri,
            started_at=started_at,
            status="succeeded",
            tally=tally,
            message=message,
            finished_at=utc_now(),
        )
        con.execute("COMMIT")
        by_type = dict(con.execute(load("new_events_by_type.sql"), [ingestion_id]).fetchall())
        preview = con.execute(
            load("new_events_preview.sql"), [ingestion_id, preview_rows]
        ).fetchall()
    return DeployLogIngestion(
        ingestion_id=ingestion_id,
        status="succeeded",
        location=display,
        tally=tally,
        empty_lines=int(empty),
        events_by_type=by_type,
        preview=preview,
        skip_reasons=dict(outcome.skip_reasons),
        message=message,
    )


def record_not_ingested(
    warehouse: Warehouse,
    *,
    status: str,
    message: str,
    location: str | None = None,
    run_id: str | None = None,
    started_at: datetime | None = None,
) -> DeployLogIngestion:
    """Record a run that landed nothing: `skipped` (not configured) or `failed` (unreachable)."""
    ingestion_id = new_ingestion_id(SOURCE)
    tally = IngestionTally()
    with warehouse.writer() as con:
        con.execute("BEGIN TRANSACTION")
        record_ingestion_run(
            con,
            ingestion_id=ingestion_id,
            run_id=run_id,
            source=SOURCE,
            location=location,
            started_at=started_at or utc_now(),
            status=status,
            tally=tally,
            message=message,
        )
        con.execute("COMMIT")
    return DeployLogIngestion(
        ingestion_id, status, redact_uri(location), tally, message=scrub(message)
    )
