"""Reading deployment log objects: gzip streaming, truncation, non-UTF-8, pieces, S3."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow as pa

from connectors.deploy_logs import (
    DEPLOY_LOG_SUFFIXES,
    LINES_SCHEMA,
    TextPiece,
    blank_lines,
    bounded_map,
    lines_batch,
    read_jsonl_object,
    read_jsonl_pieces,
    read_whole_object,
)
from connectors.locations import LocalLocation, open_location

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "deploy_logs"


def _lines(state) -> dict[int, bytes]:
    lines = {}
    for piece in state.pieces:
        for offset, line in enumerate(piece.data.split(b"\n")):
            lines[piece.first_line + offset] = line
    return lines


def _only(location: LocalLocation):
    (obj,) = location.list_objects(DEPLOY_LOG_SUFFIXES)
    return obj


def test_gzip_and_plain_give_the_same_numbered_lines(tmp_path: Path):
    text = (FIXTURES / "good_events.jsonl").read_bytes()
    (tmp_path / "plain").mkdir()
    (tmp_path / "gz").mkdir()
    (tmp_path / "plain" / "a.jsonl").write_bytes(text)
    (tmp_path / "gz" / "a.jsonl.gz").write_bytes(gzip.compress(text))
    states = []
    for folder in ("plain", "gz"):
        location = LocalLocation(tmp_path / folder)
        states.append(read_jsonl_object(location, _only(location)))
    plain, gz = states
    assert _lines(plain) == _lines(gz)
    assert len(_lines(plain)) == text.count(b"\n")  # the last newline ends the last line
    assert _lines(plain)[3] == b""
    assert not plain.problems and not gz.problems


def test_concatenated_gzip_members_are_read_whole(tmp_path: Path):
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(b"one\ntwo\n") + gzip.compress(b"three\n"))
    location = LocalLocation(tmp_path)
    state = read_jsonl_object(location, _only(location))
    assert _lines(state) == {1: b"one", 2: b"two", 3: b"three"}
    assert state.damage is None


def test_truncated_gzip_keeps_the_complete_lines_and_reports_the_cut_one(tmp_path: Path):
    lines = [f'{{"event_id": "e{i}", "padding": "{i * 7919 % 10007:08d}"}}' for i in range(3000)]
    whole = gzip.compress(("\n".join(lines) + "\n").encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    location = LocalLocation(tmp_path)
    state = read_jsonl_object(location, _only(location))
    kept = _lines(state)
    assert kept, "the lines before the truncation are kept"
    assert all(kept[n] == lines[n - 1].encode() for n in kept)
    (problem,) = state.problems
    assert problem.line == len(kept) + 1
    assert "truncated gzip object" in problem.error
    assert lines[problem.line - 1].startswith(problem.raw or "")


def test_non_utf8_line_is_reported_with_escaped_raw_text_and_the_others_kept(tmp_path: Path):
    (tmp_path / "a.jsonl").write_bytes(b'{"a": 1}\n{"name": "caf\xe9"}\n{"a": 3}\n')
    location = LocalLocation(tmp_path)
    state = read_jsonl_object(location, _only(location))
    assert _lines(state) == {1: b'{"a": 1}', 2: b"", 3: b'{"a": 3}'}
    (problem,) = state.problems
    assert (problem.line, problem.raw) == (2, '{"name": "caf\\xe9"}')
    assert "not valid UTF-8" in problem.error
    assert state.substituted_lines == 1


def test_large_objects_are_cut_into_pieces_at_line_boundaries(tmp_path: Path):
    lines = [f"line-{i:05d}" for i in range(5000)]
    (tmp_path / "big.jsonl").write_text("\n".join(lines))
    location = LocalLocation(tmp_path)
    obj = _only(location)
    pieces = [p for p, _ in read_jsonl_pieces(location, obj, piece_bytes=4096) if p is not None]
    assert len(pieces) > 10
    assert all(len(p.data) <= 4096 + 16 for p in pieces)
    numbered = {}
    for piece in pieces:
        for offset, line in enumerate(piece.data.decode().split("\n")):
            numbered[piece.first_line + offset] = line
    assert numbered == {i + 1: line for i, line in enumerate(lines)}


def test_bounded_map_keeps_order_and_limits_work_in_flight():
    seen = []

    def work(n: int) -> int:
        seen.append(n)
        return n * n

    items = iter(range(100))
    results = bounded_map(work, items, max_workers=4, in_flight=8)
    first = next(results)
    assert first == (0, 0)
    assert len(seen) <= 9  # never more than in_flight submitted ahead of the consumer
    assert [r for _, r in results] == [n * n for n in range(1, 100)]


def test_bounded_map_limits_the_weight_in_flight():
    started = []

    def work(n: int) -> int:
        started.append(n)
        return n

    results = bounded_map(
        work,
        iter(range(50)),
        max_workers=4,
        in_flight=50,
        weight=lambda n: 10,
        max_weight_in_flight=30,
    )
    assert next(results) == (0, 0)
    assert len(started) <= 4  # 3 items of weight 10 fit in 30, then one more once the first left
    assert [n for n, _ in results] == list(range(1, 50))


def test_objects_stream_from_s3(s3_client, s3_bucket: str):
    body = (FIXTURES / "good_events.jsonl").read_bytes()
    s3_client.put_object(Bucket=s3_bucket, Key="logs/a.jsonl.gz", Body=gzip.compress(body))
    s3_client.put_object(Bucket=s3_bucket, Key="logs/trail.json", Body=b'{"Records": []}')
    s3_client.put_object(Bucket=s3_bucket, Key="logs/ignored.txt", Body=b"x")
    location = open_location(f"s3://{s3_bucket}/logs/")
    objects = {o.key: o for o in location.list_objects(DEPLOY_LOG_SUFFIXES)}
    assert sorted(objects) == ["logs/a.jsonl.gz", "logs/trail.json"]
    assert objects["logs/a.jsonl.gz"].etag
    state = read_jsonl_object(location, objects["logs/a.jsonl.gz"])
    assert b"\n".join(p.data for p in state.pieces) + b"\n" == body
    data, damage = read_whole_object(location, objects["logs/trail.json"])
    assert (data, damage) == (b'{"Records": []}', None)


def test_a_byte_order_mark_before_the_first_line_is_not_part_of_it(tmp_path: Path):
    (tmp_path / "a.jsonl").write_bytes(b'\xef\xbb\xbf{"a": 1}\n{"a": 2}\n')
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(b'\xef\xbb\xbf{"b": 1}\n'))
    location = LocalLocation(tmp_path)
    objects = {o.key: o for o in location.list_objects(DEPLOY_LOG_SUFFIXES)}
    assert _lines(read_jsonl_object(location, objects["a.jsonl"])) == {
        1: b'{"a": 1}',
        2: b'{"a": 2}',
    }
    assert _lines(read_jsonl_object(location, objects["b.jsonl.gz"])) == {1: b'{"b": 1}'}


def test_lines_batch_numbers_the_lines_and_drops_the_cr_of_a_crlf():
    piece = TextPiece("s3://b/a.jsonl", 41, b'{"a": 1}\r\n\r\n  \n{"a": "\r"}\r\r\n{"b": 2}\r')
    batch = lines_batch(piece)
    assert batch.schema == LINES_SCHEMA
    assert batch.to_pylist() == [
        {"uri": "s3://b/a.jsonl", "line": 41, "text": '{"a": 1}'},
        {"uri": "s3://b/a.jsonl", "line": 42, "text": ""},
        {"uri": "s3://b/a.jsonl", "line": 43, "text": "  "},
        {"uri": "s3://b/a.jsonl", "line": 44, "text": '{"a": "\r"}\r'},
        {"uri": "s3://b/a.jsonl", "line": 45, "text": '{"b": 2}'},
    ]
    assert lines_batch(TextPiece("u", 1, b"")).to_pylist() == [{"uri": "u", "line": 1, "text": ""}]


def test_blank_lines_are_counted_as_sql_trims_them():
    """Empty, or only spaces and tabs; other white space (a no-break space, a lone CR) is
    content, as for `trim(text, ' ' || chr(9)) = ''` in SQL."""
    lines = ["", " ", "\t", " \t ", " x", "x ", "\u00a0", "\r", "{}", "  \u00e9  "]
    text = pa.array(lines, pa.large_string())
    (expected,) = duckdb.execute(
        "SELECT count(*) FILTER (WHERE trim(t, ' ' || chr(9)) = '') FROM unnest(?) AS u(t)",
        [lines],
    ).fetchone()
    assert blank_lines(text) == expected == 4
    assert blank_lines(pa.array([], pa.large_string())) == 0
