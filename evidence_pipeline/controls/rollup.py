"""The roll-up of a control's per-subject rows into its status (evidence-model.md, section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ControlStatus = Literal[
    "manual",
    "attested",
    "error",
    "no_evidence",
    "not_applicable",
    "effective",
    "partially_effective",
    "ineffective",
]
SUBJECT_STATUSES = ("pass", "fail", "stale", "not_applicable", "error")


@dataclass(frozen=True)
class SubjectCounts:
    passing: int = 0
    failing: int = 0
    stale: int = 0
    not_applicable: int = 0
    error: int = 0
    backdated: int = 0

    @property
    def evaluated(self) -> int:
        return self.passing + self.failing + self.stale + self.not_applicable + self.error

    @property
    def effectiveness(self) -> float | None:
        """pass / (pass + fail + stale); None when no row counts."""
        counted = self.passing + self.failing + self.stale
        return self.passing / counted if counted else None


def roll_up(
    counts: SubjectCounts,
    *,
    applicable: bool,
    has_rules: bool,
    threshold: float,
    attested: bool,
) -> ControlStatus:
    """The control's status, in the order of the contract (docs/controls.md, section 7)."""
    if not applicable:
        return "not_applicable"
    if not has_rules:
        return "attested" if attested else "manual"
    if counts.error:
        return "error"
    if counts.evaluated == 0:
        return "no_evidence"
    effectiveness = counts.effectiveness
    if effectiveness is None:
        return "not_applicable"
    if effectiveness >= 1:
        return "effective"
    if effectiveness >= threshold:
        return "partially_effective"
    return "ineffective"
