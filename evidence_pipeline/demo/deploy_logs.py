"""The demo's deployment logs: JSON-lines event logs and one CloudTrail file.

The events tell the story of the registry in `registry.py` (same model names and versions):
deployments, rollbacks and an undeploy in production and staging, monitoring checks,
incidents, a reported concern, and a few lines that are deliberately bad so the quarantine
has something to show.
"""

from __future__ import annotations

import gzip
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from evidence_pipeline.demo.timeline import Timeline, rfc3339

ACCOUNT = "123456789012"
REGION = "eu-west-1"
WEEKLY_REDEPLOYS = 12
# The compute each model is served on. The deployment tooling records it in the details of
# every deploy and rollback it performs (`details.instance_type`, docs/control-catalog.md).
INSTANCE_TYPES = {
    "credit-risk-scorer": "ml.m5.xlarge",
    "fraud-detector": "ml.c5.2xlarge",
    "churn-predictor": "ml.m5.large",
    "support-chat-llm": "ml.g5.2xlarge",
    "doc-summarizer": "ml.g5.xlarge",
    "demand-forecast": "ml.m5.large",
}


@dataclass(frozen=True)
class DeployLogFiles:
    directory: Path
    recent: Path
    archive: Path
    cloudtrail: Path
    bad_lines: int


def _event(
    event_id: str,
    when: datetime,
    event_type: str,
    model_name: str,
    environment: str,
    **fields: Any,
) -> dict[str, Any]:
    event = {
        "event_id": event_id,
        "event_time": rfc3339(when),
        "event_type": event_type,
        "model_name": model_name,
        "environment": environment,
    }
    if event_type in ("deploy", "rollback"):
        fields["details"] = {"instance_type": INSTANCE_TYPES[model_name]} | (
            fields.get("details") or {}
        )
    event.update({key: value for key, value in fields.items() if value is not None})
    return event


def archive_events(t: Timeline) -> list[dict[str, Any]]:
    """Events older than 30 days (the log shipper's gzip archive)."""
    events = [
        _event(
            "evt-1001",
            t.ago(190),
            "deploy",
            "fraud-detector",
            "production",
            model_version="1",
            actor="ci-deployer",
            approved_by="frank.miller",
            change_ticket="CHG-0812",
        ),
        _event(
            "evt-1002",
            t.ago(150),
            "deploy",
            "credit-risk-scorer",
            "Production",
            model_version="1",
            actor="ci-deployer",
            approved_by="carol.nguyen",
            change_ticket="CHG-0901",
        ),
        _event(
            "evt-1003",
            t.ago(60),
            "deploy",
            "demand-forecast",
            "production",
            model_version="1",
            actor="kim.tanaka",
            approved_by="lee.park",
            change_ticket="CHG-0977",
        ),
        _event(
            "evt-1004",
            t.ago(40),
            "deploy",
            "credit-risk-scorer",
            "production",
            model_version="2",
            actor="bob.smith",
            approved_by="carol.nguyen",
            change_ticket="CHG-1042",
        ),
        _event(
            "evt-1005",
            t.ago(31),
            "deploy",
            "fraud-detector",
            "PRODUCTION",
            model_version="2",
            actor=f"arn:aws:iam::{ACCOUNT}:user/erin.cole",
            approved_by="frank.miller",
            change_ticket="CHG-1050",
            status="failed",
            details={"error": "endpoint health check timed out"},
        ),
        _event(
            "evt-1006",
            t.ago(60, hours=-1),
            "monitoring_check",
            "demand-forecast",
            "production",
            actor="monitoring",
            details={"drift_psi": 0.04},
        ),
    ]
    # The support assistant is redeployed weekly (certificate rotation), each time approved.
    for week in range(WEEKLY_REDEPLOYS + 1):
        events.append(
            _event(
                f"evt-2{week:03d}",
                t.ago(85 - 7 * week, hours=2),
                "deploy",
                "support-chat-llm",
                "production",
                model_version="1",
                actor="release-bot",
                approved_by="maria.garcia",
                change_ticket=f"CHG-2{week:03d}",
            )
        )
    return [e for e in events if datetime.fromisoformat(e["event_time"]) < t.ago(30)]


def recent_events(t: Timeline) -> list[dict[str, Any]]:
    """Events of the last 30 days (the live log file)."""
    events = [
        _event(
            "evt-3001",
            t.ago(30),
            "deploy",
            "fraud-detector",
            "Production",
            model_version="2",
            actor=f"arn:aws:iam::{ACCOUNT}:user/erin.cole",
            approved_by="frank.miller",
            change_ticket="CHG-1051",
        ),
        # Self-approval: the actor's session name is the approver, in other letter case.
        _event(
            "evt-3002",
            t.ago(20),
            "deploy",
            "churn-predictor",
            "production",
            model_version="1",
            actor=f"arn:aws:sts::{ACCOUNT}:assumed-role/DeployRole/alice.wong",
            approved_by="Alice.Wong",
            change_ticket="CHG-1060",
        ),
        _event(
            "evt-3003",
            t.ago(20),
            "incident_opened",
            "credit-risk-scorer",
            "production",
            incident_id="INC-2041",
            actor="on-call",
            details={"summary": "Score drift after upstream schema change"},
        ),
        _event(
            "evt-3004",
            t.ago(19, hours=2),
            "incident_communicated",
            "credit-risk-scorer",
            "production",
            incident_id="INC-2041",
            actor="comms",
            details={"channel": "status page"},
        ),
        _event(
            "evt-3005",
            t.ago(18),
            "incident_resolved",
            "credit-risk-scorer",
            "production",
            incident_id="INC-2041",
            actor="on-call",
        ),
        _event(
            "evt-3006",
            t.ago(12),
            "incident_opened",
            "fraud-detector",
            "production",
            incident_id="INC-2057",
            actor="on-call",
            details={"summary": "False positives blocked legitimate payments"},
        ),
        _event(
            "evt-3007",
            t.ago(12),
            "deploy",
            "doc-summarizer",
            "STAGING",
            model_version="1",
            actor="nora.berg",
        ),
        _event(
            "evt-3008",
            t.ago(10),
            "deploy",
            "credit-risk-scorer",
            "Staging",
            model_version="3",
            actor="bob.smith",
        ),
        _event(
            "evt-3009",
            t.ago(9),
            "deploy",
            "credit-risk-scorer",
            "production",
            model_version="3",
            actor="bob.smith",
            approved_by="carol.nguyen",
            change_ticket="CHG-1077",
        ),
        _event(
            "evt-3010",
            t.ago(9, hours=-3),
            "rollback",
            "credit-risk-scorer",
            "Production",
            model_version="2",
            actor="dave.lee",
            approved_by="carol.nguyen",
            change_ticket="CHG-1078",
            details={"reason": "version 3 failed validation; restored version 2"},
        ),
        # Communicated 96 hours after opening: too late.
        _event(
            "evt-3011",
            t.ago(8),
            "incident_communicated",
            "fraud-detector",
            "production",
            incident_id="INC-2057",
            actor="comms",
        ),
        _event(
            "evt-3012",
            t.ago(7),
            "incident_resolved",
            "fraud-detector",
            "production",
            incident_id="INC-2057",
            actor="on-call",
        ),
        _event(
            "evt-3013",
            t.ago(5),
            "undeploy",
            "demand-forecast",
            "production",
            actor="kim.tanaka",
            change_ticket="CHG-1090",
        ),
        _event(
            "evt-3014",
            t.ago(3),
            "monitoring_check",
            "fraud-detector",
            "production",
            actor="monitoring",
            details={"drift_psi": 0.08},
        ),
        _event(
            "evt-3015",
            t.ago(3),
            "concern_reported",
            "doc-summarizer",
            "staging",
            actor="customer-support",
            incident_id="CASE-311",
            details={"channel": "feedback form", "summary": "Summary omitted a termination clause"},
        ),
        # The concern's follow-up on its case, dealt with at once (no incident opened).
        _event(
            "evt-3023",
            t.ago(2, hours=6),
            "incident_resolved",
            "doc-summarizer",
            "staging",
            actor="nora.berg",
            incident_id="CASE-311",
            details={"resolution": "prompt fixed; re-tested on 40 contracts"},
        ),
        # A version the registry does not have, rolled back an hour later.
        _event(
            "evt-3016",
            t.ago(2),
            "deploy",
            "churn-predictor",
            "production",
            model_version="4",
            actor="ivan.petrov",
            approved_by="judy.kim",
            change_ticket="CHG-1101",
        ),
        _event(
            "evt-3017",
            t.ago(2, hours=-1),
            "rollback",
            "churn-predictor",
            "production",
            model_version="1",
            actor="judy.kim",
            approved_by="ivan.petrov",
            change_ticket="CHG-1102",
        ),
        _event(
            "evt-3018",
            t.ago(2),
            "scaling_changed",
            "support-chat-llm",
            "production",
            actor="autoscaler",
            details={"replicas": {"from": 2, "to": 4}},
        ),
        # Still open, and its 72 hours have not passed.
        _event(
            "evt-3019",
            t.ago(1),
            "incident_opened",
            "churn-predictor",
            "production",
            incident_id="INC-2063",
            actor="on-call",
            details={"summary": "Scores missing for new subscribers"},
        ),
        _event(
            "evt-3020",
            t.ago(0, hours=5),
            "monitoring_check",
            "support-chat-llm",
            "production",
            actor="monitoring",
            details={"toxicity_rate": 0.001},
        ),
        _event(
            "evt-3021",
            t.ago(0, hours=2),
            "monitoring_check",
            "credit-risk-scorer",
            "production",
            actor="monitoring",
            details={"drift_psi": 0.03},
        ),
        _event(
            "evt-3022",
            t.ago(0, hours=1),
            "monitoring_check",
            "churn-predictor",
            "Production",
            actor="monitoring",
            details={"drift_psi": 0.05},
        ),
    ]
    for week in range(WEEKLY_REDEPLOYS + 1):
        when = t.ago(85 - 7 * week, hours=2)
        if when >= t.ago(30):
            events.append(
                _event(
                    f"evt-2{week:03d}",
                    when,
                    "deploy",
                    "support-chat-llm",
                    "production",
                    model_version="1",
                    actor="release-bot",
                    approved_by="maria.garcia",
                    change_ticket=f"CHG-2{week:03d}",
                )
            )
    return sorted(events, key=lambda e: e["event_time"])


def _bad_lines(t: Timeline) -> list[str]:
    """Lines a real log also contains now and then; each must land in the quarantine."""
    truncated = json.dumps(
        _event("evt-3090", t.ago(4), "deploy", "fraud-detector", "production", model_version="2")
    )[:57]
    missing_model = json.dumps(
        {
            "event_id": "evt-3091",
            "event_time": rfc3339(t.ago(4)),
            "event_type": "deploy",
            "environment": "production",
            "model_version": "2",
            "actor": "bob.smith",
        }
    )
    return [truncated, missing_model]


def _cloudtrail_record(
    t_when: datetime,
    event_name: str,
    request: dict[str, Any],
    actor: str,
    event_source: str = "sagemaker.amazonaws.com",
    response: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLEPRINCIPAL",
            "arn": actor,
            "accountId": ACCOUNT,
            "userName": actor.rsplit("/", 1)[-1],
        },
        "eventTime": rfc3339(t_when),
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": REGION,
        "sourceIPAddress": "10.20.30.40",
        "userAgent": "aws-cli/2.17.0",
        "requestParameters": request,
        "responseElements": response,
        "requestID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{event_name}{t_when}")),
        "eventID": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{event_name}{t_when}")),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
    }


def cloudtrail_records(t: Timeline) -> list[dict[str, Any]]:
    """SageMaker endpoint records: the loan-approval endpoint's life, and an unknown endpoint."""
    henry = f"arn:aws:iam::{ACCOUNT}:user/henry.ford"
    endpoint = "loan-approval-prod"
    endpoint_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{endpoint}"

    def tags(**values: str) -> list[dict[str, str]]:
        return [{"key": key, "value": value} for key, value in values.items()]

    return [
        _cloudtrail_record(
            t.ago(60),
            "CreateEndpoint",
            {
                "endpointName": endpoint,
                "endpointConfigName": "loan-approval-v1",
                "tags": tags(
                    mlflow_model_name="loan-approval",
                    mlflow_model_version="1",
                    environment="Production",
                    approved_by="grace.hopper",
                    change_ticket="CHG-0990",
                ),
            },
            henry,
            response={"endpointArn": endpoint_arn},
        ),
        _cloudtrail_record(
            t.ago(5, hours=1),
            "AddTags",
            {
                "resourceArn": endpoint_arn,
                "tags": tags(mlflow_model_version="2", change_ticket="CHG-1088"),
            },
            henry,
        ),
        # No tags: it takes the endpoint's tags as they stood (now version 2).
        _cloudtrail_record(
            t.ago(5),
            "UpdateEndpoint",
            {"endpointName": endpoint, "endpointConfigName": "loan-approval-v2"},
            henry,
            response={"endpointArn": endpoint_arn},
        ),
        # An endpoint the trail never saw tagged: quarantined.
        _cloudtrail_record(
            t.ago(3),
            "UpdateEndpoint",
            {"endpointName": "legacy-scoring", "endpointConfigName": "legacy-scoring-v7"},
            f"arn:aws:iam::{ACCOUNT}:user/ops-admin",
        ),
        # Not SageMaker: counted and skipped.
        _cloudtrail_record(
            t.ago(2),
            "PutObject",
            {"bucketName": "ml-docs", "key": "model-cards/loan-approval/v2.md"},
            henry,
            event_source="s3.amazonaws.com",
        ),
    ]


def _json_lines(events: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(event) + "\n" for event in events)


def write_deploy_logs(directory: Path, timeline: Timeline) -> DeployLogFiles:
    """Write the JSON-lines logs (plain and gzip) and the CloudTrail file under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    recent = directory / "events" / "deployments-current.jsonl"
    archive = directory / "events" / "archive" / "deployments-older.jsonl.gz"
    day = timeline.now.strftime("%Y%m%dT%H%MZ")
    cloudtrail = (
        directory
        / "cloudtrail"
        / "AWSLogs"
        / ACCOUNT
        / "CloudTrail"
        / REGION
        / f"{ACCOUNT}_CloudTrail_{REGION}_{day}_demo.json.gz"
    )
    for path in (recent, archive, cloudtrail):
        path.parent.mkdir(parents=True, exist_ok=True)

    bad = _bad_lines(timeline)
    lines = _json_lines(recent_events(timeline)).splitlines(keepends=True)
    # The bad lines sit among good ones, as they would in a real log.
    lines[5:5] = [line + "\n" for line in bad]
    recent.write_text("".join(lines), encoding="utf-8")
    with gzip.open(archive, "wt", encoding="utf-8") as out:
        out.write(_json_lines(archive_events(timeline)))
    with gzip.open(cloudtrail, "wt", encoding="utf-8") as out:
        json.dump({"Records": cloudtrail_records(timeline)}, out)
    return DeployLogFiles(directory, recent, archive, cloudtrail, bad_lines=len(bad))
