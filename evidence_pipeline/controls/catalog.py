"""The control catalog of a framework: `control_mappings/<framework>/catalog.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evidence_pipeline.controls.errors import ControlConfigurationError, Problem
from evidence_pipeline.controls.yaml_files import line_of, read_yaml, validate_file

DEFAULT_THRESHOLD = 0.9
CONTROL_ID = r"^A\.\d+(\.\d+){1,2}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ControlEntry(_Strict):
    id: str = Field(pattern=CONTROL_ID)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    automation: Literal["automated", "partial", "manual"]
    applicable: bool = True
    justification: str = Field(min_length=1)
    threshold: float | None = Field(default=None, ge=0, le=1)
    check_name: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")


class ObjectiveEntry(_Strict):
    id: str = Field(pattern=r"^A\.\d+(\.\d+)?$")
    title: str = Field(min_length=1)
    controls: list[ControlEntry] = Field(min_length=1)


class CatalogFile(_Strict):
    framework: str = Field(pattern=r"^[a-z0-9_]+$")
    objectives: list[ObjectiveEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Control:
    """A control of the catalog, with its objective."""

    framework: str
    control_id: str
    title: str
    objective_id: str
    objective_title: str
    description: str
    automation: str
    applicable: bool
    justification: str
    threshold: float
    check_name: str | None
    position: int
    source: str


@dataclass(frozen=True)
class Catalog:
    framework: str
    path: Path
    controls: dict[str, Control]

    def __contains__(self, control_id: object) -> bool:
        return control_id in self.controls


def load_catalog(path: Path) -> Catalog:
    """Read and validate a catalog file; every problem names the file and line."""
    data = read_yaml(path)
    parsed = validate_file(CatalogFile, data, path)
    problems: list[Problem] = []
    controls: dict[str, Control] = {}
    position = 0
    for o_index, objective in enumerate(parsed.objectives):
        for c_index, entry in enumerate(objective.controls):
            line = line_of(data, ("objectives", o_index, "controls", c_index, "id"))
            if not entry.id.startswith(objective.id + "."):
                problems.append(
                    Problem(path, line, f"control {entry.id} is not under objective {objective.id}")
                )
            if entry.id in controls:
                problems.append(Problem(path, line, f"control {entry.id} is listed twice"))
                continue
            position += 1
            controls[entry.id] = Control(
                framework=parsed.framework,
                control_id=entry.id,
                title=entry.title.strip(),
                objective_id=objective.id,
                objective_title=objective.title.strip(),
                description=entry.description.strip(),
                automation=entry.automation,
                applicable=entry.applicable,
                justification=entry.justification.strip(),
                threshold=DEFAULT_THRESHOLD if entry.threshold is None else entry.threshold,
                check_name=entry.check_name,
                position=position,
                source=f"{path}:{line}",
            )
    if problems:
        raise ControlConfigurationError(problems)
    return Catalog(framework=parsed.framework, path=path, controls=controls)
