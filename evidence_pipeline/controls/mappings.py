"""Rules (`rules/<rule_id>.sql`) and the mapping files that point controls at them
(`<framework>/mappings/*.yaml`), merged across the project and `EVIDENCE_MAPPINGS` directories."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from evidence_pipeline.controls.catalog import CONTROL_ID, Catalog
from evidence_pipeline.controls.errors import ControlConfigurationError, Problem
from evidence_pipeline.controls.yaml_files import line_of, read_yaml, validate_file

RULE_ID = r"^[a-z][a-z0-9_]*$"
_RULE_FILE = re.compile(RULE_ID[:-1] + r"\.sql$")

ParamScalar = StrictBool | StrictInt | StrictFloat | StrictStr
ParamValue = ParamScalar | list[ParamScalar]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleReference(_Strict):
    rule: str = Field(pattern=RULE_ID)
    explanation: str | None = None
    params: dict[str, ParamValue] = Field(default_factory=dict)
    enabled: bool = True


class MappingEntry(_Strict):
    control: str = Field(pattern=CONTROL_ID)
    threshold: float | None = Field(default=None, ge=0, le=1)
    rules: list[RuleReference] = Field(default_factory=list)


class MappingFile(_Strict):
    framework: str = Field(pattern=r"^[a-z0-9_]+$")
    mappings: list[MappingEntry] = Field(default_factory=list)


@dataclass(frozen=True)
class RuleFile:
    rule_id: str
    path: Path
    sql: str

    @property
    def header(self) -> str | None:
        """The leading `--` comment: what the rule shows an auditor."""
        lines = []
        for line in self.sql.splitlines():
            stripped = line.strip()
            if not stripped.startswith("--"):
                break
            lines.append(stripped.removeprefix("--").strip())
        return " ".join(lines) or None


@dataclass(frozen=True)
class MappedRule:
    """One rule evidencing one control, with the parameters in force."""

    control_id: str
    rule: RuleFile
    params: dict[str, Any]
    explanation: str | None
    source: str  # file:line of the mapping entry that last set it

    @property
    def rule_id(self) -> str:
        return self.rule.rule_id

    @property
    def rule_hash(self) -> str:
        return rule_hash(self.rule.sql, self.params)


def rule_hash(sql: str, params: dict[str, Any]) -> str:
    """SHA-256 of the rule's SQL text and its parameters (canonical JSON)."""
    digest = hashlib.sha256(sql.encode("utf-8"))
    digest.update(b"\0")
    digest.update(json.dumps(params, sort_keys=True, separators=(",", ":")).encode("utf-8"))
    return digest.hexdigest()


def discover_rules(rule_dirs: list[Path]) -> dict[str, RuleFile]:
    """Every `<rule_id>.sql` of the directories; a later directory replaces an earlier rule."""
    rules: dict[str, RuleFile] = {}
    problems: list[Problem] = []
    for directory in rule_dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.sql")):
            if not _RULE_FILE.match(path.name):
                problems.append(
                    Problem(path, None, "a rule file is named <rule_id>.sql, rule_id in [a-z0-9_]")
                )
                continue
            rules[path.stem] = RuleFile(path.stem, path, path.read_text(encoding="utf-8"))
    if problems:
        raise ControlConfigurationError(problems)
    return rules


@dataclass
class _RuleSetting:
    params: dict[str, Any]
    explanation: str | None
    source: str
    enabled: bool = True


@dataclass
class _ControlSetting:
    threshold: float | None = None
    rules: dict[str, _RuleSetting] = field(default_factory=dict)


def load_mappings(
    mapping_files: list[Path], catalog: Catalog, rules: dict[str, RuleFile]
) -> tuple[dict[str, list[MappedRule]], dict[str, float]]:
    """Merge the mapping files in order (docs/controls.md, section 4).

    Returns the rules of each control and the thresholds the mappings set.
    """
    settings: dict[str, _ControlSetting] = {}
    problems: list[Problem] = []
    for path in mapping_files:
        try:
            data = read_yaml(path)
            parsed = validate_file(MappingFile, data, path)
        except ControlConfigurationError as exc:
            problems.extend(exc.problems)
            continue
        if parsed.framework != catalog.framework:
            problems.append(
                Problem(
                    path,
                    line_of(data, ("framework",)),
                    f"framework {parsed.framework!r} is not the catalog's {catalog.framework!r}",
                )
            )
            continue
        for m_index, entry in enumerate(parsed.mappings):
            line = line_of(data, ("mappings", m_index, "control"))
            if entry.control not in catalog:
                problems.append(
                    Problem(path, line, f"unknown control id {entry.control} (not in the catalog)")
                )
                continue
            setting = settings.setdefault(entry.control, _ControlSetting())
            if entry.threshold is not None:
                setting.threshold = entry.threshold
            for r_index, ref in enumerate(entry.rules):
                r_line = line_of(data, ("mappings", m_index, "rules", r_index, "rule"))
                if ref.rule not in rules:
                    problems.append(
                        Problem(
                            path,
                            r_line,
                            f"rule {ref.rule}: no query file rules/{ref.rule}.sql in "
                            "the project or EVIDENCE_MAPPINGS directories",
                        )
                    )
                    continue
                source = f"{path}:{r_line}"
                earlier = setting.rules.get(ref.rule)
                if earlier is None:
                    setting.rules[ref.rule] = _RuleSetting(
                        dict(ref.params), ref.explanation, source, ref.enabled
                    )
                else:
                    earlier.params.update(ref.params)
                    earlier.explanation = ref.explanation or earlier.explanation
                    earlier.source = source
                    earlier.enabled = ref.enabled
    if problems:
        raise ControlConfigurationError(problems)
    mapped: dict[str, list[MappedRule]] = {}
    thresholds: dict[str, float] = {}
    for control_id, setting in settings.items():
        if setting.threshold is not None:
            thresholds[control_id] = setting.threshold
        mapped[control_id] = [
            MappedRule(
                control_id=control_id,
                rule=rules[rule_id],
                params=s.params,
                explanation=s.explanation or rules[rule_id].header,
                source=s.source,
            )
            for rule_id, s in sorted(setting.rules.items())
            if s.enabled
        ]
    return mapped, thresholds
