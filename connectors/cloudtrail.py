"""Amazon SageMaker deployments from CloudTrail files (`{"Records": [...]}`).

`CreateEndpoint` and `UpdateEndpoint` are deploys and `DeleteEndpoint` an undeploy; a record
with an `errorCode` is a failed event. The model behind an endpoint is known from the endpoint's
tags (`mlflow_model_name`, `mlflow_model_version`, `environment`, `approved_by`,
`change_ticket`): `CreateEndpoint` carries them, `AddTags` and `DeleteTags` on the endpoint's
ARN change them, and a record without tags takes the tags the endpoint had at its time
(`TagHistory`, which also holds what earlier runs learnt). Records are applied in time order
(then by event id), whatever file they came from.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connectors.deploy_logs import LineProblem
from connectors.redaction import scrub, scrub_bytes

SAGEMAKER_EVENT_SOURCE = "sagemaker.amazonaws.com"
EVENT_TYPES = {"CreateEndpoint": "deploy", "UpdateEndpoint": "deploy", "DeleteEndpoint": "undeploy"}
TAG_CHANGES = ("AddTags", "DeleteTags")
MODEL_NAME_TAG = "mlflow_model_name"
MODEL_VERSION_TAG = "mlflow_model_version"
ENVIRONMENT_TAG = "environment"
APPROVED_BY_TAG = "approved_by"
CHANGE_TICKET_TAG = "change_ticket"


@dataclass(frozen=True)
class TrailRecord:
    """One SageMaker record of a CloudTrail file; `index` is its 1-based place in `Records`."""

    uri: str
    index: int
    record: dict[str, Any]

    @property
    def raw(self) -> str:
        """The record as JSON text, without any secret of this environment in it."""
        text = json.dumps(self.record, separators=(",", ":"), ensure_ascii=False)
        return scrub_bytes(text.encode()).decode()  # masks within strings: still JSON


@dataclass
class TrailFile:
    """What one CloudTrail file holds: its SageMaker records, how many others, its problems."""

    uri: str
    records_read: int = 0
    sagemaker_records: list[TrailRecord] = field(default_factory=list)
    other_records: int = 0
    problems: list[LineProblem] = field(default_factory=list)
    digest: bool = False  # a CloudTrail digest file: no records, counted as one skipped


def is_digest(document: Any) -> bool:
    """Whether a parsed file is a CloudTrail digest (`CloudTrail-Digest/…json.gz`, delivered
    beside the logs when log file validation is on): integrity data, not events."""
    return (
        isinstance(document, dict) and "digestStartTime" in document and "Records" not in document
    )


def parse_trail_file(uri: str, data: bytes, damage: str | None = None) -> TrailFile:
    """Parse a CloudTrail file. A file that cannot be used whole is one quarantined record."""
    parsed = TrailFile(uri)

    def reject(reason: str) -> TrailFile:
        parsed.records_read = 1
        parsed.problems.append(
            LineProblem(uri, None, reason, scrub(data.decode("utf-8", errors="backslashreplace")))
        )
        return parsed

    try:
        text = data.decode("utf-8").removeprefix("\ufeff")  # a byte order mark is not JSON
    except UnicodeDecodeError as exc:
        return reject(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "raw text kept with the bad bytes escaped"
        )
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        prefix = f"{damage}; " if damage else ""
        return reject(f"{prefix}malformed JSON: {exc.msg} at line {exc.lineno}")
    if damage:
        return reject(damage)
    if is_digest(document):
        parsed.records_read = 1
        parsed.digest = True
        return parsed
    records = document.get("Records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        return reject('not a CloudTrail file: no "Records" list')
    parsed.records_read = len(records)
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            parsed.problems.append(
                LineProblem(
                    uri, index, "CloudTrail record is not an object", scrub(json.dumps(record))
                )
            )
        elif record.get("eventSource") == SAGEMAKER_EVENT_SOURCE:
            parsed.sagemaker_records.append(TrailRecord(uri, index, record))
        else:
            parsed.other_records += 1
    return parsed


# RFC 3339 with an offset, as the JSON-lines check reads it (check_lines.sql): two-digit
# fields at their places, seconds required, a fraction with digits; ranges checked by parsing.
_RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def parse_event_time(value: Any) -> datetime | None:
    """An RFC 3339 instant with an offset (CloudTrail writes `Z`), else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _RFC_3339.fullmatch(text):
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None
    return instant.astimezone(UTC) if instant.tzinfo else None


def tags_of(parameters: dict[str, Any]) -> dict[str, str]:
    """`[{"key": k, "value": v}]` (as CloudTrail writes it; `Key`/`Value` also accepted).
    Raises `ValueError` when the tags are not a list."""
    tags = {}
    items = parameters.get("tags") or parameters.get("Tags") or []
    if not isinstance(items, list):
        raise ValueError("requestParameters.tags is not a list")
    for item in items:
        if not isinstance(item, dict):
            continue
        key = item.get("key", item.get("Key"))
        value = item.get("value", item.get("Value"))
        if isinstance(key, str) and key.strip():
            tags[key.strip()] = "" if value is None else str(value).strip()
    return tags


def endpoint_name_from_arn(arn: Any) -> str | None:
    """`arn:aws:sagemaker:<region>:<account>:endpoint/<name>` → `<name>`; None otherwise."""
    if not isinstance(arn, str):
        return None
    resource = arn.split(":", 5)[-1]
    kind, _, name = resource.partition("/")
    return name if kind == "endpoint" and name else None


@dataclass(frozen=True)
class TagState:
    """An endpoint's tags from `valid_from` on, and the change that made them.

    `change` is `set` (a `CreateEndpoint` with tags: the whole set), `add` (`AddTags`: `delta`
    added to or overwriting the set as it stood) or `delete` (`DeleteTags`: `removed` keys
    taken out). `tags` is the whole set as known when the change was recorded."""

    valid_from: datetime
    source_event_id: str
    tags: dict[str, str]
    change: str = "set"
    delta: dict[str, str] = field(default_factory=dict)
    removed: tuple[str, ...] = ()


class TagHistory:
    """Each endpoint's tag changes over time, matched by endpoint name ignoring case (SageMaker
    ARNs carry the name in lower case).

    The set at an instant is replayed from the changes: the latest `set` at or before it, then
    every later `add` and `delete` up to it, in time order. So a tag change learnt late (in a
    later run, from a file delivered late) still counts for the records after it."""

    def __init__(self) -> None:
        self._states: dict[str, list[TagState]] = {}
        self._event_ids: set[str] = set()

    def add(self, endpoint: str, state: TagState) -> bool:
        """Record a tag state; False when this event was already recorded."""
        if state.source_event_id in self._event_ids:
            return False
        self._event_ids.add(state.source_event_id)
        states = self._states.setdefault(endpoint.lower(), [])
        keys = [(s.valid_from, s.source_event_id) for s in states]
        states.insert(bisect.bisect_right(keys, (state.valid_from, state.source_event_id)), state)
        return True

    def as_of(self, endpoint: str, instant: datetime) -> dict[str, str] | None:
        """The whole tag set at `instant`; None when no change is known by then."""
        states = self._states.get(endpoint.lower(), [])
        position = bisect.bisect_right([s.valid_from for s in states], instant)
        if not position:
            return None
        start = position - 1
        while start > 0 and states[start].change != "set":
            start -= 1
        tags: dict[str, str] = {}
        for state in states[start:position]:
            if state.change == "set":
                tags = dict(state.tags)
            elif state.change == "add":
                tags.update(state.delta)
            else:
                for key in state.removed:
                    tags.pop(key, None)
        return tags


@dataclass(frozen=True)
class TagChange:
    """A row of `endpoint_tags`: the endpoint's whole tag set from `valid_from` on, and the
    change that made it (`set`, `add` with the tags added, `delete` with the keys removed)."""

    endpoint_arn: str | None
    endpoint_name: str
    tags: dict[str, str]
    valid_from: datetime
    source_event_id: str
    source_uri: str
    change: str = "set"
    delta: dict[str, str] = field(default_factory=dict)
    removed: tuple[str, ...] = ()


@dataclass
class TrailOutcome:
    events: list[dict[str, Any]] = field(default_factory=list)
    tag_changes: list[TagChange] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # per URI
    skip_reasons: Counter[str] = field(default_factory=Counter)


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _event_row(item: TrailRecord, event_time: datetime, tags: dict[str, str]) -> dict[str, Any]:
    record = item.record
    parameters = record.get("requestParameters") or {}
    endpoint = _clean(parameters.get("endpointName"))
    details = {
        k: record[k] for k in ("eventName", "errorCode", "errorMessage", "awsRegion") if k in record
    }
    if parameters.get("endpointConfigName"):
        details["endpointConfigName"] = parameters["endpointConfigName"]
    raw = item.raw
    environment = _clean(tags.get(ENVIRONMENT_TAG))
    return {
        "event_id": _clean(record.get("eventID")),
        "event_time": event_time,
        "event_type": EVENT_TYPES[record["eventName"]],
        "model_name": _clean(tags.get(MODEL_NAME_TAG)),
        "model_version": _clean(tags.get(MODEL_VERSION_TAG)),
        "environment": environment.lower() if environment else None,
        "endpoint": endpoint,
        "actor": _clean((record.get("userIdentity") or {}).get("arn")),
        "approved_by": _clean(tags.get(APPROVED_BY_TAG)),
        "change_ticket": _clean(tags.get(CHANGE_TICKET_TAG)),
        "status": "failed" if record.get("errorCode") else "succeeded",
        "incident_id": None,
        "details": json.dumps(details, separators=(",", ":")),
        "raw": raw,
        "source_format": "cloudtrail",
        "source_uri": item.uri,
        "source_line": item.index,
        "content_hash": hashlib.md5(raw.encode()).hexdigest(),
    }


def interpret(files: list[TrailFile], history: TagHistory) -> TrailOutcome:
    """Turn SageMaker records into deployment events and tag changes, in time order."""
    outcome = TrailOutcome()
    for parsed in files:
        outcome.problems.extend(parsed.problems)
        if parsed.digest:
            outcome.skipped[parsed.uri] += 1
            outcome.skip_reasons["CloudTrail digest file"] += 1
        if parsed.other_records:
            outcome.skipped[parsed.uri] += parsed.other_records
            outcome.skip_reasons["not a SageMaker record"] += parsed.other_records
    timed: list[tuple[datetime, str, TrailRecord]] = []
    for parsed in files:
        for item in parsed.sagemaker_records:
            event_id = _clean(item.record.get("eventID"))
            event_time = parse_event_time(item.record.get("eventTime"))
            if event_id is None or event_time is None:
                missing = "eventID" if event_id is None else "eventTime (RFC 3339 with offset)"
                outcome.problems.append(
                    LineProblem(item.uri, item.index, f"missing or bad {missing}", item.raw)
                )
                continue
            not_objects = [
                key
                for key in ("requestParameters", "responseElements", "userIdentity")
                if not isinstance(item.record.get(key) or {}, dict)
            ]
            if not_objects:
                outcome.problems.append(
                    LineProblem(
                        item.uri, item.index, f"{not_objects[0]} is not an object", item.raw
                    )
                )
                continue
            timed.append((event_time, event_id, item))
    timed.sort(key=lambda entry: (entry[0], entry[1]))

    def skip(item: TrailRecord, reason: str) -> None:
        outcome.skipped[item.uri] += 1
        outcome.skip_reasons[reason] += 1

    def quarantine(item: TrailRecord, reason: str) -> None:
        outcome.problems.append(LineProblem(item.uri, item.index, reason, item.raw))

    for event_time, event_id, item in timed:
        try:
            _interpret_record(item, event_time, event_id, history, outcome, skip, quarantine)
        except (TypeError, ValueError, AttributeError) as exc:  # a field of an unexpected type
            quarantine(item, f"unusable {item.record.get('eventName')!s} record: {exc}")
    return outcome


def _interpret_record(
    item: TrailRecord,
    event_time: datetime,
    event_id: str,
    history: TagHistory,
    outcome: TrailOutcome,
    skip: Callable[[TrailRecord, str], None],
    quarantine: Callable[[TrailRecord, str], None],
) -> None:
    """One SageMaker record, in time order: a tag change, a deployment event, or a reason."""
    record = item.record
    name = record.get("eventName")
    if not isinstance(name, str):
        raise TypeError("eventName is not a string")
    parameters = record.get("requestParameters") or {}
    failed = bool(record.get("errorCode"))
    if name in TAG_CHANGES:
        arn = parameters.get("resourceArn")
        endpoint = endpoint_name_from_arn(arn)
        if endpoint is None:
            skip(item, "tag change on something other than an endpoint")
            return
        if failed:
            skip(item, "failed tag change")
            return
        tags = history.as_of(endpoint, event_time) or {}
        delta: dict[str, str] = {}
        removed: tuple[str, ...] = ()
        if name == "AddTags":
            delta = tags_of(parameters)
            tags.update(delta)
        else:
            keys = parameters.get("tagKeys") or parameters.get("TagKeys") or []
            if not isinstance(keys, list):
                raise ValueError("requestParameters.tagKeys is not a list")
            removed = tuple(str(key).strip() for key in keys)
            for key in removed:
                tags.pop(key, None)
        change = "add" if name == "AddTags" else "delete"
        state = TagState(event_time, event_id, tags, change, delta, removed)
        if history.add(endpoint, state):
            outcome.tag_changes.append(
                TagChange(
                    arn, endpoint, tags, event_time, event_id, item.uri, change, delta, removed
                )
            )
        skip(item, "endpoint tag change (recorded in endpoint_tags)")
        return
    if name not in EVENT_TYPES:
        skip(item, "SageMaker record that is not a deployment")
        return
    endpoint_name = parameters.get("endpointName")
    endpoint = _clean(endpoint_name) if isinstance(endpoint_name, str) else None
    if endpoint is None:
        quarantine(item, f"{name} record without requestParameters.endpointName")
        return
    own_tags = tags_of(parameters)
    if own_tags and name == "CreateEndpoint" and not failed:
        arn = (record.get("responseElements") or {}).get("endpointArn")
        if history.add(endpoint, TagState(event_time, event_id, own_tags)):
            outcome.tag_changes.append(
                TagChange(arn, endpoint, own_tags, event_time, event_id, item.uri)
            )
    tags = own_tags or history.as_of(endpoint, event_time)
    if tags is None:
        quarantine(
            item,
            f"no tags known for endpoint {endpoint!r} at {event_time.isoformat()}: "
            "the event cannot be linked to a model (expected a CreateEndpoint or AddTags "
            "record with mlflow_model_name, mlflow_model_version and environment)",
        )
        return
    row = _event_row(item, event_time, tags)
    missing = [
        tag
        for tag, column in (
            (MODEL_NAME_TAG, "model_name"),
            (ENVIRONMENT_TAG, "environment"),
            (MODEL_VERSION_TAG, "model_version"),
        )
        if row[column] is None and (column != "model_version" or row["event_type"] == "deploy")
    ]
    if missing:
        quarantine(
            item,
            f"endpoint {endpoint!r} has no {', '.join(missing)} tag at "
            f"{event_time.isoformat()}: the event cannot be linked to a model",
        )
        return
    outcome.events.append(row)
