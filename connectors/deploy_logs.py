"""Read deployment log objects: JSON lines (`*.jsonl`, `*.jsonl.gz`) and CloudTrail files.

This module turns stored objects into text a SQL engine can parse quickly, and reports what
cannot be read at all. It does not parse JSON lines itself (that is done in bulk, in DuckDB,
by the ingestion): it downloads objects concurrently with a bounded number in flight,
decompresses gzip in a streaming way, notices a truncated or corrupt gzip object, and screens
the text for bytes that are not UTF-8.

What comes out, per object, is a list of `TextPiece`s (consecutive lines, numbered from
`first_line`, with no trailing newline) and `LineProblem`s (a line or object that cannot be
used, with the reason and the raw text). Large objects are cut into pieces at line
boundaries, so no piece is ever bigger than `piece_bytes`. `lines_batch` turns a piece into
an Arrow batch of numbered lines (split by Arrow, outside the interpreter lock, so it can run
in the reading threads).
"""

from __future__ import annotations

import zlib
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from connectors.locations import Location, StoredObject
from connectors.redaction import scrub, scrub_bytes

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
CLOUDTRAIL_SUFFIXES = (".json", ".json.gz")
DEPLOY_LOG_SUFFIXES = JSONL_SUFFIXES + CLOUDTRAIL_SUFFIXES

T = TypeVar("T")
R = TypeVar("R")

READ_CHUNK_BYTES = 1 << 20
DEFAULT_PIECE_BYTES = 32 << 20
_BOM = b"\xef\xbb\xbf"


def is_jsonl(obj: StoredObject) -> bool:
    return obj.key.endswith(JSONL_SUFFIXES)


def is_gzip(obj: StoredObject) -> bool:
    return obj.key.endswith(".gz")


@dataclass(frozen=True)
class TextPiece:
    """Consecutive lines of one object, as valid UTF-8, without the final newline."""

    uri: str
    first_line: int
    data: bytes


@dataclass(frozen=True)
class LineProblem:
    """A line (or, with `line` None, a whole object) that cannot be used, and why."""

    uri: str
    line: int | None
    error: str
    raw: str | None


@dataclass
class ReadObject:
    """One object as read: its pieces of text, its problems, and what was lost where.

    `substituted_lines` counts lines that were not UTF-8: they are reported as problems and
    left empty in the pieces (so the line numbers of the others stay right).
    """

    obj: StoredObject
    pieces: list[TextPiece] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    substituted_lines: int = 0
    damage: str | None = None

    @property
    def text_bytes(self) -> int:
        return sum(len(p.data) for p in self.pieces)


class _GzipStream:
    """Decompress a gzip stream chunk by chunk (several members allowed), noting damage."""

    def __init__(self) -> None:
        self._decompressor = zlib.decompressobj(wbits=31)
        self.damage: str | None = None
        self._compressed_bytes = 0

    def feed(self, chunk: bytes) -> bytes:
        if self.damage:
            return b""
        out = []
        data = chunk
        self._compressed_bytes += len(chunk)
        while data:
            try:
                out.append(self._decompressor.decompress(data))
            except zlib.error as exc:
                self.damage = (
                    f"corrupt gzip object ({exc}) within its first {self._compressed_bytes} bytes"
                )
                break
            if self._decompressor.eof:
                data = self._decompressor.unused_data
                if data:
                    self._decompressor = zlib.decompressobj(wbits=31)
            else:
                data = b""
        return b"".join(out)

    def finish(self) -> bytes:
        if self.damage:
            return b""
        tail = self._decompressor.flush()
        if not self._decompressor.eof:
            self.damage = "truncated gzip object: the compressed stream ends before its end marker"
        return tail


def _chunks(location: Location, obj: StoredObject) -> Iterator[bytes]:
    with location.open(obj) as stream:
        while True:
            chunk = stream.read(READ_CHUNK_BYTES)
            if not chunk:
                return
            yield chunk


def _decoded_chunks(location: Location, obj: StoredObject, state: ReadObject) -> Iterator[bytes]:
    if not is_gzip(obj):
        yield from _chunks(location, obj)
        return
    gz = _GzipStream()
    for chunk in _chunks(location, obj):
        out = gz.feed(chunk)
        if out:
            yield out
        if gz.damage:
            break
    tail = gz.finish()
    if tail:
        yield tail
    state.damage = gz.damage


def _utf8_screened(piece: TextPiece, state: ReadObject) -> TextPiece:
    """The piece with its lines that are not UTF-8 emptied (reported as problems), and the
    secrets of this environment and passwords in URIs masked."""
    data = piece.data
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            data = _bad_lines_emptied(piece, state)
    data = scrub_bytes(data)
    return piece if data is piece.data else TextPiece(piece.uri, piece.first_line, data)


def _bad_lines_emptied(piece: TextPiece, state: ReadObject) -> bytes:
    lines = piece.data.split(b"\n")
    for index, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            state.problems.append(
                LineProblem(
                    piece.uri,
                    piece.first_line + index,
                    f"not valid UTF-8 (byte 0x{line[exc.start]:02x} at position {exc.start}); "
                    "raw text kept with the bad bytes escaped",
                    scrub(line.decode("utf-8", errors="backslashreplace")),
                )
            )
            lines[index] = b""
            state.substituted_lines += 1
    return b"\n".join(lines)


def _lines_in(data: bytes) -> int:
    return data.count(b"\n") + 1


def read_jsonl_pieces(
    location: Location, obj: StoredObject, piece_bytes: int = DEFAULT_PIECE_BYTES
) -> Iterator[tuple[TextPiece | None, ReadObject]]:
    """Stream one JSON-lines object as pieces of at most about `piece_bytes`.

    Yields `(piece, state)`; the last item has `piece` None and `state` complete (problems,
    damage). A truncated or corrupt gzip object keeps every complete line read before the
    damage; the cut-off line (or, at a line boundary, the loss itself) is one problem.
    """
    state = ReadObject(obj)
    buffer = bytearray()
    first_line = 1
    saw_bytes = False
    for chunk in _decoded_chunks(location, obj, state):
        saw_bytes = True
        buffer += chunk
        if first_line == 1 and buffer.startswith(_BOM):  # written by some editors: not text
            del buffer[: len(_BOM)]
        while len(buffer) >= piece_bytes:
            cut = buffer.rfind(b"\n", 0, piece_bytes)
            if cut < 0:  # a line longer than a piece: the piece ends where the line does
                cut = buffer.find(b"\n", piece_bytes)
                if cut < 0:
                    break
            piece = TextPiece(obj.uri, first_line, bytes(buffer[:cut]))
            del buffer[: cut + 1]
            first_line += _lines_in(piece.data)
            yield _utf8_screened(piece, state), state
    tail = bytes(buffer)
    if state.damage:
        complete = tail.rfind(b"\n") + 1
        partial, tail = tail[complete:], tail[:complete]
        lost_line = first_line + (tail.count(b"\n") if tail else 0)
        if partial:
            error = f"{state.damage}; this line is cut off there"
            raw = scrub(partial.decode("utf-8", errors="backslashreplace"))
        else:
            error = f"{state.damage}; whatever followed line {lost_line - 1} is lost"
            raw = None
        state.problems.append(LineProblem(obj.uri, lost_line, error, raw))
        saw_bytes = bool(tail)
    if saw_bytes and tail:
        if tail.endswith(b"\n"):
            tail = tail[:-1]
        yield _utf8_screened(TextPiece(obj.uri, first_line, tail), state), state
    yield None, state


LINES_SCHEMA = pa.schema([("uri", pa.string()), ("line", pa.int64()), ("text", pa.large_string())])


def lines_batch(piece: TextPiece) -> pa.RecordBatch:
    """The piece's lines as an Arrow batch `(uri, line, text)`, numbered from its first line,
    a CR before each line break (and at the end of the piece) dropped. The text must be valid
    UTF-8 (pieces from `read_jsonl_pieces` are)."""
    data = piece.data
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if data.endswith(b"\r"):
            data = data[:-1]
    whole = pa.LargeStringArray.from_buffers(
        1, pa.py_buffer(array("q", [0, len(data)]).tobytes()), pa.py_buffer(data)
    )
    text = pc.split_pattern(whole, "\n").flatten()
    count = len(text)
    lines = pc.cumulative_sum(
        pa.repeat(pa.scalar(1, pa.int64()), count), start=piece.first_line - 1
    )
    return pa.RecordBatch.from_arrays(
        [pa.repeat(pa.scalar(piece.uri, pa.string()), count), lines, text], schema=LINES_SCHEMA
    )


def blank_lines(text: pa.Array) -> int:
    """How many of the lines are blank: empty, or only spaces and tabs (as SQL's
    `trim(text, ' ' || chr(9)) = ''`). Computed by Arrow; only lines that start with a blank
    are trimmed."""
    blank = pc.sum(pc.equal(pc.binary_length(text), 0)).as_py() or 0
    padded = pc.or_(pc.starts_with(text, " "), pc.starts_with(text, "\t"))
    if pc.any(padded).as_py():
        trimmed = pc.utf8_trim(text.filter(padded), " \t")
        blank += pc.sum(pc.equal(pc.binary_length(trimmed), 0)).as_py() or 0
    return blank


def read_jsonl_object(
    location: Location, obj: StoredObject, piece_bytes: int = DEFAULT_PIECE_BYTES
) -> ReadObject:
    """A whole JSON-lines object read into pieces (for objects small enough to hold)."""
    state = ReadObject(obj)
    for piece, state in read_jsonl_pieces(location, obj, piece_bytes):
        if piece is not None:
            state.pieces.append(piece)
    return state


def read_whole_object(location: Location, obj: StoredObject) -> tuple[bytes, str | None]:
    """The decompressed bytes of an object, and the damage found (truncated or corrupt gzip)."""
    state = ReadObject(obj)
    data = b"".join(_decoded_chunks(location, obj, state))
    return data, state.damage


def bounded_map(
    function: Callable[[T], R],
    items: Iterable[T],
    max_workers: int = 16,
    in_flight: int = 32,
    weight: Callable[[T], int] | None = None,
    max_weight_in_flight: int | None = None,
) -> Iterator[tuple[T, R]]:
    """`(item, function(item))` in input order, computed by threads, with at most `in_flight`
    items (and, given `weight`, at most `max_weight_in_flight` of their weight, e.g. bytes)
    submitted ahead of the consumer: memory stays bounded however many items there are."""
    pending: deque[tuple[T, Future[R], int]] = deque()
    pending_weight = 0
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="deploy-logs") as pool:
        try:
            for item in items:
                item_weight = weight(item) if weight else 0
                while pending and (
                    len(pending) >= in_flight
                    or (
                        max_weight_in_flight is not None
                        and pending_weight + item_weight > max_weight_in_flight
                    )
                ):
                    done_item, future, done_weight = pending.popleft()
                    pending_weight -= done_weight
                    yield done_item, future.result()
                pending.append((item, pool.submit(function, item), item_weight))
                pending_weight += item_weight
            while pending:
                done_item, future, _ = pending.popleft()
                yield done_item, future.result()
        finally:
            for _, future, _ in pending:
                future.cancel()
