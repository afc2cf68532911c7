"""The demo's attestations (`EVIDENCE_ATTESTATIONS`, format in docs/controls.md, section 5).

One valid attestation, one that has expired, for controls no source can evidence.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from evidence_pipeline.demo.timeline import Timeline, rfc3339


def demo_attestations(t: Timeline) -> list[dict[str, str]]:
    return [
        {
            "control": "A.2.2",
            "statement": "The AI policy was approved by the board and published on the intranet.",
            "evidence_ref": "https://intranet.example.com/policies/ai-policy-v3.pdf",
            "attested_by": "jane.doe@example.com",
            "attested_at": rfc3339(t.ago(40)),
            "valid_until": rfc3339(t.ago(40 - 365)),
        },
        {
            "control": "A.2.4",
            "statement": "The AI policy was reviewed by the AI governance board.",
            "evidence_ref": "https://intranet.example.com/governance/ai-policy-review-2025.pdf",
            "attested_by": "sam.okafor@example.com",
            "attested_at": rfc3339(t.ago(400)),
            "valid_until": rfc3339(t.ago(35)),
        },
    ]


def write_attestations(path: Path, timeline: Timeline) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Attestations for controls that no source can evidence.\n"
        + yaml.safe_dump({"attestations": demo_attestations(timeline)}, sort_keys=False, width=100),
        encoding="utf-8",
    )
    return path
