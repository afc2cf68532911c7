"""Great Expectations validation result files, read from a directory or an `s3://` prefix.

One file holds one validation: an `ExpectationSuiteValidationResult` as GX Core 1.x writes it
to its validation results store, or as GX 0.x wrote it (evidence-model.md, section 2). Each
file becomes either a `GxValidation` (the fields the warehouse keeps) or a `RejectedFile`
(why it is not a usable validation result, and its text for the quarantine).

Parsing keeps only the fields needed: the per-expectation `result` payloads, which make up
most of a file, are never converted. Local files are read in order; S3 objects are fetched
by a small pool of threads, a bounded window at a time, so memory stays flat on large
stores.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import orjson

from connectors.locations import LocalLocation, Location, StoredObject
from connectors.redaction import scrub

RESULT_SUFFIXES = (".json",)
RAW_TEXT_LIMIT = 65_536  # characters of a rejected file kept in the quarantine (secrets masked)
_BOM = b"\xef\xbb\xbf"
_COMPACT_TIME = "%Y%m%dT%H%M%S.%fZ"
_COMPACT_TIME_WHOLE_SECONDS = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True, slots=True)
class GxValidation:
    """One validation result, reduced to what evidence needs."""

    validation_id: str  # sha256 of the file's bytes: identical files are the same validation
    datasource_name: str
    data_asset_name: str
    suite_name: str
    validated_at: datetime
    success: bool
    success_percent: float | None
    evaluated_expectations: int | None
    successful_expectations: int | None
    unsuccessful_expectations: int | None
    failed_expectations: list[str]
    gx_format: str  # "1.x" | "0.x"
    gx_version: str | None
    run_name: str | None
    source_uri: str

    @property
    def data_asset(self) -> str:
        return f"{self.datasource_name}/{self.data_asset_name}"

    @property
    def content_hash(self) -> str:
        return self.validation_id


@dataclass(frozen=True, slots=True)
class RejectedFile:
    """A `.json` file that is not a usable validation result."""

    source_uri: str
    reason: str
    raw: str | None


class NotAValidationResultError(ValueError):
    """The bytes are not a GX validation result; the message says why."""


def _text_for_quarantine(data: bytes) -> str:
    text = data.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    return scrub(text[:RAW_TEXT_LIMIT]) or ""


def _json_error_reason(data: bytes, exc: orjson.JSONDecodeError) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as decode_error:
        return (
            f"not UTF-8 text: byte 0x{data[decode_error.start]:02x} at offset "
            f"{decode_error.start} cannot be decoded"
        )
    if not data.strip():
        return "empty file: no JSON document"
    if exc.pos >= len(data.rstrip()):
        return f"truncated JSON: the document ends before it is complete ({exc})"
    return f"invalid JSON: {exc}"


def _describe_other_json(document: Any) -> str:
    """Why a parsed JSON document is not a validation result, naming what it looks like."""
    if not isinstance(document, dict):
        kinds = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
        kind = kinds.get(type(document), "null")
        return f"not a Great Expectations validation result: the file holds a JSON {kind}"
    if isinstance(document.get("expectations"), list) and "results" not in document:
        name = document.get("name") or document.get("expectation_suite_name")
        return f"an expectation suite ({name!r}), not a validation result"
    if "validation_definitions" in document or "action_list" in document:
        return f"a checkpoint configuration ({document.get('name')!r}), not a validation result"
    if "run_results" in document:
        return "a checkpoint result (run_results), not a single validation result"
    if "data" in document and "suite" in document:
        return f"a validation definition ({document.get('name')!r}), not a validation result"
    keys = ", ".join(sorted(map(str, document))[:8]) or "none"
    return (
        "not a Great Expectations validation result: expected 'success' and 'results' "
        f"at the top level, found keys: {keys}"
    )


def parse_instant(value: Any) -> datetime:
    """A GX time: RFC 3339 / ISO 8601 (1.x), or the compact `YYYYMMDDTHHMMSS.ffffffZ` (0.x).

    A time without an offset is taken as UTC (GX writes UTC).
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"no time: {value!r}")
    text = value.strip()
    try:
        if len(text) >= 16 and text[8] == "T" and text[:8].isdigit():
            compact = _COMPACT_TIME if "." in text else _COMPACT_TIME_WHOLE_SECONDS
            instant = datetime.strptime(text, compact)
        else:
            instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"unparsable time {value!r}") from None
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def _batch_names(meta: dict) -> tuple[Any, Any]:
    """(datasource_name, data_asset_name) from wherever this GX version put them."""
    for key in ("active_batch_definition", "batch_spec", "batch_kwargs"):
        batch = meta.get(key)
        if not isinstance(batch, dict):
            continue
        datasource = batch.get("datasource_name") or batch.get("datasource")
        asset = batch.get("data_asset_name")
        if datasource and asset:
            return datasource, asset
    batch = meta.get("active_batch_definition")
    if isinstance(batch, dict):
        return batch.get("datasource_name"), batch.get("data_asset_name")
    return None, None


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


_NOT_JSON = object()


def _python_json(payload: bytes) -> Any:
    """`payload` read by Python's json, which takes the bare `NaN`, `Infinity` and
    `-Infinity` that GX writes for such values (it saves results with `json.dumps`);
    `_NOT_JSON` when it is not JSON even so."""
    try:
        return json.loads(payload)
    except ValueError:
        return _NOT_JSON


def parse_validation_result(data: bytes, source_uri: str) -> GxValidation:
    """Parse one file's bytes; raises `NotAValidationResultError` with the reason otherwise."""
    payload = data[3:] if data.startswith(_BOM) else data
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        document = _python_json(payload)  # GX writes NaN and Infinity, which orjson refuses
        if document is _NOT_JSON:
            raise NotAValidationResultError(_json_error_reason(payload, exc)) from None
    if (
        not isinstance(document, dict)
        or not isinstance(document.get("results"), list)
        or not isinstance(document.get("success"), bool)
    ):
        raise NotAValidationResultError(_describe_other_json(document))

    meta = document.get("meta")
    if not isinstance(meta, dict):
        raise NotAValidationResultError("validation result without 'meta'")
    gx_format = "0.x" if "expectation_suite_name" in meta else "1.x"
    suite_name = document.get("suite_name") or meta.get("expectation_suite_name")
    if not isinstance(suite_name, str) or not suite_name:
        raise NotAValidationResultError(
            "validation result without a suite name (suite_name or meta.expectation_suite_name)"
        )
    datasource, asset = _batch_names(meta)
    if not isinstance(datasource, str | int) or not isinstance(asset, str | int):
        datasource = asset = None
    if not datasource or not asset:
        raise NotAValidationResultError(
            "validation result without a data asset: "
            "meta.active_batch_definition.{datasource_name, data_asset_name} missing"
        )
    run_id = meta.get("run_id") if isinstance(meta.get("run_id"), dict) else {}
    time_value = meta.get("validation_time") or run_id.get("run_time")
    try:
        validated_at = parse_instant(time_value)
    except ValueError as exc:
        raise NotAValidationResultError(
            f"validation result without a usable time (meta.validation_time, "
            f"meta.run_id.run_time): {exc}"
        ) from None

    results = document["results"]
    failed = []
    for result in results:
        if isinstance(result, dict) and result.get("success") is False:
            config = result.get("expectation_config")
            config = config if isinstance(config, dict) else {}
            failed.append(str(config.get("type") or config.get("expectation_type") or "unknown"))
    statistics = document.get("statistics")
    statistics = statistics if isinstance(statistics, dict) else {}
    evaluated = _int_or_none(statistics.get("evaluated_expectations"))
    successful = _int_or_none(statistics.get("successful_expectations"))
    unsuccessful = _int_or_none(statistics.get("unsuccessful_expectations"))
    if evaluated is None:
        evaluated, unsuccessful = len(results), len(failed)
        successful = evaluated - unsuccessful
    percent = statistics.get("success_percent")
    if not isinstance(percent, int | float) or isinstance(percent, bool):
        percent = 100.0 * successful / evaluated if evaluated and successful is not None else None

    return GxValidation(
        validation_id=hashlib.sha256(data).hexdigest(),
        datasource_name=str(datasource),
        data_asset_name=str(asset),
        suite_name=suite_name,
        validated_at=validated_at,
        success=document["success"],
        success_percent=float(percent) if percent is not None else None,
        evaluated_expectations=evaluated,
        successful_expectations=successful,
        unsuccessful_expectations=unsuccessful,
        failed_expectations=failed,
        gx_format=gx_format,
        gx_version=str(meta.get("great_expectations_version") or "") or None,
        run_name=str(run_id["run_name"]) if run_id.get("run_name") else None,
        source_uri=source_uri,
    )


def read_result_file(data: bytes, source_uri: str) -> GxValidation | RejectedFile:
    """A validation, or the reason the file is not one (never raises for bad content)."""
    try:
        return parse_validation_result(data, source_uri)
    except NotAValidationResultError as exc:
        return RejectedFile(source_uri, str(exc), _text_for_quarantine(data))


def list_result_files(location: Location) -> Iterator[StoredObject]:
    """Every `.json` object under the location, recursively (raises if it is unreachable)."""
    return location.list_objects(RESULT_SUFFIXES)


def read_result_files(
    location: Location,
    objects: Iterable[StoredObject],
    *,
    threads: int = 8,
    window: int = 256,
) -> Iterator[tuple[StoredObject, GxValidation | RejectedFile]]:
    """Read and parse each object, in the order given.

    A local directory is read in the calling thread (the disk is fast and parsing holds the
    GIL anyway); S3 objects are fetched `threads` at a time, `window` objects ahead at most.
    An unreachable store raises `SourceUnreachableError` from the location.
    """

    # a file gone or unreadable since it was listed is quarantined; on S3 only a deleted
    # object, so that a failing connection still fails the source rather than a file
    local = isinstance(location, LocalLocation)
    unreadable = OSError if local else FileNotFoundError

    def read(obj: StoredObject) -> bytes | OSError:
        try:
            return location.read_bytes(obj)
        except unreadable as exc:
            return exc

    def outcome(obj: StoredObject, data: bytes | OSError) -> GxValidation | RejectedFile:
        if isinstance(data, OSError):
            return RejectedFile(obj.uri, f"cannot be read: {data.strerror or data}", None)
        return read_result_file(data, obj.uri)

    if local or threads <= 1:
        for obj in objects:
            yield obj, outcome(obj, read(obj))
        return
    iterator = iter(objects)
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="gx-read") as pool:
        while batch := list(islice(iterator, window)):
            for obj, data in zip(batch, pool.map(read, batch), strict=True):
                yield obj, outcome(obj, data)
