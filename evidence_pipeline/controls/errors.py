"""Errors in the control configuration (catalog, mappings, rules, attestations)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a configuration file, where it is and why."""

    path: Path | str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class ControlConfigurationError(ValueError):
    """The catalog, a mapping, a rule or the attestations file cannot be used.

    Carries every problem found, each naming its file (and line, for YAML).
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the control configuration:\n{lines}")
