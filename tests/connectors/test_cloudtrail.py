"""SageMaker deployments from CloudTrail files (sample files in tests/fixtures/cloudtrail)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from connectors.cloudtrail import (
    TagHistory,
    TagState,
    TrailRecord,
    endpoint_name_from_arn,
    interpret,
    parse_trail_file,
    tags_of,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cloudtrail"
SAMPLE = FIXTURES / "sagemaker_endpoints.json"


def _outcome(history: TagHistory | None = None):
    parsed = parse_trail_file(str(SAMPLE), SAMPLE.read_bytes())
    return parsed, interpret([parsed], history or TagHistory())


def _events_by_id(outcome) -> dict[str, dict]:
    return {event["event_id"][-2:]: event for event in outcome.events}


def test_every_record_is_counted_and_other_sources_are_skipped_not_quarantined():
    parsed, outcome = _outcome()
    assert parsed.records_read == 10
    assert parsed.other_records == 1
    assert len(outcome.events) == 5
    assert len(outcome.problems) == 1
    # the S3 record, CreateModel, both AddTags (tag changes are not events)
    assert outcome.skipped[str(SAMPLE)] == 4
    assert len(outcome.events) + len(outcome.problems) + 4 == parsed.records_read


def test_create_update_delete_and_failed_records_become_events_linked_by_tags():
    _, outcome = _outcome()
    events = _events_by_id(outcome)
    create, update, failed, delete, churn = (events[k] for k in ("02", "03", "04", "05", "09"))
    assert (create["event_type"], create["model_name"], create["model_version"]) == (
        "deploy",
        "fraud",
        "4",
    )
    assert create["environment"] == "production"  # " Production " trimmed and lowered
    assert create["endpoint"] == "fraud-prod"
    assert create["actor"] == "arn:aws:sts::123456789012:assumed-role/ml-deployer/alice"
    assert (create["approved_by"], create["change_ticket"]) == ("bob", "CHG-2001")
    # UpdateEndpoint carries no tags: it takes those of 10:30 (AddTags, listed first in the file)
    assert (update["event_type"], update["model_version"], update["approved_by"]) == (
        "deploy",
        "5",
        "frank",
    )
    assert update["change_ticket"] == "CHG-2002"
    assert update["model_name"] == "fraud"  # kept from CreateEndpoint: AddTags merges
    assert (failed["status"], failed["event_type"]) == ("failed", "deploy")
    assert json.loads(failed["details"])["errorCode"] == "ValidationException"
    assert create["status"] == update["status"] == "succeeded"
    assert (delete["event_type"], delete["model_version"]) == ("undeploy", "5")
    assert (churn["model_name"], churn["model_version"], churn["environment"]) == (
        "churn",
        "7",
        "staging",
    )  # Key/Value tags accepted


def test_record_for_an_endpoint_without_known_tags_is_quarantined_with_the_reason():
    _, outcome = _outcome()
    (problem,) = outcome.problems
    assert problem.line == 6
    assert problem.uri == str(SAMPLE)
    assert "no tags known for endpoint 'ghost-endpoint'" in problem.error
    assert json.loads(problem.raw)["eventID"].endswith("06")


def test_tag_changes_are_recorded_with_the_whole_tag_set():
    _, outcome = _outcome()
    changes = sorted(outcome.tag_changes, key=lambda c: c.valid_from)
    assert [c.endpoint_name for c in changes] == ["Churn-Staging", "fraud-prod", "fraud-prod"]
    assert changes[2].tags == {
        "mlflow_model_name": "fraud",
        "mlflow_model_version": "5",
        "environment": "Production",
        "approved_by": "frank",
        "change_ticket": "CHG-2002",
    }


def test_tags_learnt_earlier_are_used_case_insensitively():
    history = TagHistory()
    history.add(
        "churn-staging",
        TagState(
            datetime(2026, 5, 1, 9, tzinfo=UTC),
            "earlier",
            {"mlflow_model_name": "churn", "mlflow_model_version": "7", "environment": "staging"},
        ),
    )
    later = FIXTURES / "later" / "sagemaker_later.json"
    outcome = interpret([parse_trail_file(str(later), later.read_bytes())], history)
    (event,) = outcome.events
    assert (event["model_name"], event["model_version"], event["endpoint"]) == (
        "churn",
        "7",
        "Churn-Staging",
    )
    # ...but not before they were known
    assert history.as_of("Churn-Staging", datetime(2026, 5, 1, 8, tzinfo=UTC)) is None


def test_a_file_that_is_not_cloudtrail_or_not_json_is_one_quarantined_record():
    not_trail = parse_trail_file("s3://b/x.json", b'{"success": true}')
    assert not_trail.records_read == 1
    assert 'no "Records" list' in not_trail.problems[0].error
    broken = parse_trail_file("s3://b/y.json", b'{"Records": [')
    assert broken.records_read == 1 and "malformed JSON" in broken.problems[0].error
    latin1 = parse_trail_file("s3://b/z.json", b'{"Records": ["caf\xe9"]}')
    assert "not valid UTF-8" in latin1.problems[0].error
    assert "\\xe9" in latin1.problems[0].raw


def test_tag_and_arn_helpers():
    assert tags_of({"tags": [{"key": " a ", "value": " 1 "}, {"Key": "b", "Value": 2}]}) == {
        "a": "1",
        "b": "2",
    }
    assert endpoint_name_from_arn("arn:aws:sagemaker:eu-west-1:1:endpoint/fraud-prod") == (
        "fraud-prod"
    )
    assert endpoint_name_from_arn("arn:aws:sagemaker:eu-west-1:1:model/fraud") is None


def test_malformed_sagemaker_records_are_quarantined_and_the_others_still_read():
    def record(event_id: str, name: str, **fields) -> dict:
        return {
            "eventSource": "sagemaker.amazonaws.com",
            "eventName": name,
            "eventID": event_id,
            "eventTime": "2026-05-01T10:00:00Z",
            **fields,
        }

    tags = [
        {"key": "mlflow_model_name", "value": "fraud"},
        {"key": "mlflow_model_version", "value": "4"},
        {"key": "environment", "value": "production"},
    ]
    records = [
        record("bad-params", "CreateEndpoint", requestParameters="fraud-prod"),
        record(
            "bad-identity",
            "CreateEndpoint",
            requestParameters={"endpointName": "fraud-prod", "tags": tags},
            userIdentity="alice",
        ),
        record("bad-name", "UpdateEndpoint", requestParameters={"endpointName": ["fraud-prod"]}),
        record(
            "good", "CreateEndpoint", requestParameters={"endpointName": "fraud-prod", "tags": tags}
        ),
    ]
    parsed = parse_trail_file("s3://b/trail.json", json.dumps({"Records": records}).encode())
    outcome = interpret([parsed], TagHistory())
    assert [e["event_id"] for e in outcome.events] == ["good"]
    problems = {p.line: p.error for p in outcome.problems}
    assert set(problems) == {1, 2, 3}
    assert "requestParameters is not an object" in problems[1]
    assert "userIdentity is not an object" in problems[2]
    assert "requestParameters.endpointName" in problems[3]


def test_sagemaker_records_with_fields_of_the_wrong_type_are_quarantined_not_fatal():
    def record(event_id: str, name: object, **parameters) -> dict:
        return {
            "eventSource": "sagemaker.amazonaws.com",
            "eventName": name,
            "eventID": event_id,
            "eventTime": "2026-05-01T10:00:00Z",
            "requestParameters": parameters,
        }

    arn = "arn:aws:sagemaker:eu-west-1:123:endpoint/fraud-prod"
    tags = [
        {"key": "mlflow_model_name", "value": "fraud"},
        {"key": "mlflow_model_version", "value": "4"},
        {"key": "environment", "value": "production"},
    ]
    records = [
        record("tags-not-list", "CreateEndpoint", endpointName="fraud-prod", tags=7),
        record("keys-not-list", "DeleteTags", resourceArn=arn, tagKeys=7),
        record("name-a-list", ["CreateEndpoint"], endpointName="fraud-prod", tags=tags),
        record("good", "CreateEndpoint", endpointName="fraud-prod", tags=tags),
    ]
    parsed = parse_trail_file("s3://b/trail.json", json.dumps({"Records": records}).encode())
    outcome = interpret([parsed], TagHistory())
    assert [e["event_id"] for e in outcome.events] == ["good"]
    problems = {p.line: p.error for p in outcome.problems}
    assert set(problems) == {1, 2, 3}
    assert "requestParameters.tags is not a list" in problems[1]
    assert "requestParameters.tagKeys is not a list" in problems[2]
    assert "eventName is not a string" in problems[3]


def test_a_cloudtrail_digest_file_is_one_skipped_record_not_quarantined():
    digest = {
        "awsAccountId": "123456789012",
        "digestStartTime": "2026-05-01T10:00:00Z",
        "digestEndTime": "2026-05-01T11:00:00Z",
        "digestS3Bucket": "trail",
        "logFiles": [],
    }
    uri = "s3://trail/AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2026/05/01/d.json.gz"
    parsed = parse_trail_file(uri, json.dumps(digest).encode())
    outcome = interpret([parsed], TagHistory())
    assert parsed.records_read == 1
    assert outcome.problems == [] and outcome.events == []
    assert outcome.skipped[uri] == 1
    assert outcome.skip_reasons["CloudTrail digest file"] == 1


def test_raw_record_text_is_masked_and_stays_json(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "abcdSECRETxyz0123")
    record = TrailRecord(
        "s3://b/trail.json",
        1,
        {
            "cache": "redis://cache:6379",
            "by": "ops@example.com",
            "key": "abcdSECRETxyz0123",
            "url": "https://u:pw-1@host/",
        },
    )
    assert json.loads(record.raw) == {
        "cache": "redis://cache:6379",
        "by": "ops@example.com",
        "key": "***",
        "url": "https://u:***@host/",
    }


def test_a_byte_order_mark_before_a_trail_file_is_ignored():
    parsed = parse_trail_file("s3://b/t.json", b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert parsed.records_read == 10 and not parsed.problems


def test_event_times_are_read_as_strictly_as_in_json_lines():
    """The same RFC 3339 check as the JSON-lines reader: two-digit fields, seconds, hour <= 23."""
    from connectors.cloudtrail import parse_event_time

    assert parse_event_time("2026-05-01T10:00:00Z") == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert parse_event_time("2026-05-01 10:00:00.5+02:00") == datetime(
        2026, 5, 1, 8, 0, 0, 500000, tzinfo=UTC
    )
    for bad in (
        "2026-05-01T24:00:00Z",
        "2026-05-01T10:00Z",
        "2026-05-01T9:00:00Z",
        "2026-05-01T10:00:00",
        "2026-05-01T10:00:00.Z",
        "2026-05-01T10:00:00+24:00",
    ):
        assert parse_event_time(bad) is None, bad
