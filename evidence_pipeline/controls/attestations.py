"""Attestations (`EVIDENCE_ATTESTATIONS`): evidence a person provides for a manual control."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from evidence_pipeline.controls.catalog import CONTROL_ID, Catalog
from evidence_pipeline.controls.errors import ControlConfigurationError, Problem
from evidence_pipeline.controls.yaml_files import line_of, read_yaml, validate_file

AttestationStatus = Literal["valid", "expired", "none"]


class AttestationEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    control: str = Field(pattern=CONTROL_ID)
    statement: str = Field(min_length=1)
    evidence_ref: str = Field(min_length=1)
    attested_by: str = Field(min_length=1)
    attested_at: AwareDatetime
    valid_until: AwareDatetime


class AttestationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    framework: str | None = None
    attestations: list[AttestationEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class Attestation:
    framework: str
    control_id: str
    statement: str
    evidence_ref: str
    attested_by: str
    attested_at: datetime
    valid_until: datetime
    source: str  # file:line

    def valid_at(self, instant: datetime) -> bool:
        return self.attested_at <= instant < self.valid_until


def load_attestations(path: Path | None, catalog: Catalog) -> list[Attestation]:
    """Read and validate the attestations file; no file configured means no attestation."""
    if path is None:
        return []
    if not path.is_file():
        raise ControlConfigurationError(
            [Problem(path, None, "EVIDENCE_ATTESTATIONS names a file that does not exist")]
        )
    data = read_yaml(path)
    parsed = validate_file(AttestationsFile, data, path)
    problems: list[Problem] = []
    if parsed.framework not in (None, catalog.framework):
        problems.append(
            Problem(path, line_of(data, ("framework",)), f"unknown framework {parsed.framework!r}")
        )
    found = []
    for index, entry in enumerate(parsed.attestations):
        line = line_of(data, ("attestations", index, "control"))
        if entry.control not in catalog:
            problems.append(Problem(path, line, f"unknown control id {entry.control}"))
            continue
        if entry.valid_until <= entry.attested_at:
            problems.append(Problem(path, line, "valid_until is not after attested_at"))
            continue
        found.append(
            Attestation(
                framework=catalog.framework,
                control_id=entry.control,
                statement=entry.statement.strip(),
                evidence_ref=entry.evidence_ref.strip(),
                attested_by=entry.attested_by.strip(),
                attested_at=entry.attested_at.astimezone(UTC),
                valid_until=entry.valid_until.astimezone(UTC),
                source=f"{path}:{line}",
            )
        )
    if problems:
        raise ControlConfigurationError(problems)
    return found


def attestation_status(
    attestations: list[Attestation], control_id: str, instant: datetime
) -> AttestationStatus:
    """`valid` if one is valid at the instant, `expired` if some ended before it, else `none`."""
    own = [a for a in attestations if a.control_id == control_id]
    if any(a.valid_at(instant) for a in own):
        return "valid"
    if any(a.valid_until <= instant for a in own):
        return "expired"
    return "none"
