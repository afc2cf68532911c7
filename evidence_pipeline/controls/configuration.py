"""Everything control evaluation needs, loaded and validated before any rule runs: the catalog,
the rules mapped to each control (after `EVIDENCE_MAPPINGS` overrides) and the attestations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

import control_mappings
from evidence_pipeline.controls.attestations import Attestation, load_attestations
from evidence_pipeline.controls.catalog import Catalog, Control, load_catalog
from evidence_pipeline.controls.context import (
    ENGINE_PARAMETERS,
    disable_external_access,
    engine_parameters,
    prepare_helpers,
)
from evidence_pipeline.controls.errors import ControlConfigurationError, Problem
from evidence_pipeline.controls.mappings import MappedRule, discover_rules, load_mappings
from evidence_pipeline.settings import Settings
from evidence_pipeline.warehouse.migrations import migrate

FRAMEWORK = "iso42001_2023"
PROJECT_MAPPINGS_DIR = Path(control_mappings.__file__).resolve().parent
REQUIRED_COLUMNS = ("subject_type", "subject_id", "status", "reason", "evidence_ref")


@dataclass(frozen=True)
class ControlConfiguration:
    catalog: Catalog
    rules: dict[str, list[MappedRule]]  # control id -> its rules
    thresholds: dict[str, float]  # control id -> threshold in force
    attestations: list[Attestation]
    production_environments: tuple[str, ...]

    @property
    def framework(self) -> str:
        return self.catalog.framework

    def controls(self) -> Iterator[Control]:
        yield from sorted(self.catalog.controls.values(), key=lambda c: c.position)

    def rules_of(self, control_id: str) -> list[MappedRule]:
        return self.rules.get(control_id, [])

    def all_rules(self) -> Iterator[MappedRule]:
        for control in self.controls():
            yield from self.rules_of(control.control_id)


def mapping_directories(settings: Settings, project_dir: Path) -> list[Path]:
    """The project's mapping directory, then each `EVIDENCE_MAPPINGS` directory, in order."""
    missing = [d for d in settings.mappings_dirs if not d.is_dir()]
    if missing:
        raise ControlConfigurationError(
            [
                Problem(d, None, "EVIDENCE_MAPPINGS names a directory that does not exist")
                for d in missing
            ]
        )
    return [project_dir, *settings.mappings_dirs]


def load_configuration(
    settings: Settings | None = None,
    *,
    project_dir: Path = PROJECT_MAPPINGS_DIR,
    framework: str = FRAMEWORK,
) -> ControlConfiguration:
    """Load and validate the whole control configuration; raise with every problem found."""
    settings = settings or Settings.from_env()
    directories = mapping_directories(settings, project_dir)
    catalog_path = project_dir / framework / "catalog.yaml"
    if not catalog_path.is_file():
        raise ControlConfigurationError([Problem(catalog_path, None, "no catalog file")])
    catalog = load_catalog(catalog_path)
    rules = discover_rules([d / "rules" for d in directories])
    mapping_files: list[Path] = []
    for directory in directories:
        mapping_files.extend(sorted((directory / framework / "mappings").glob("*.yaml")))
        overrides = directory / framework / "overrides.yaml"
        if overrides.is_file():
            mapping_files.append(overrides)
    mapped, mapping_thresholds = load_mappings(mapping_files, catalog, rules)
    thresholds = {
        control_id: mapping_thresholds.get(control_id, control.threshold)
        for control_id, control in catalog.controls.items()
    }
    attestations = load_attestations(settings.attestations, catalog)
    configuration = ControlConfiguration(
        catalog=catalog,
        rules=mapped,
        thresholds=thresholds,
        attestations=attestations,
        production_environments=settings.production_environments,
    )
    check_rules(configuration)
    return configuration


_last_loaded: tuple[tuple[object, ...], ControlConfiguration] | None = None


def _inputs(settings: Settings, project_dir: Path, framework: str) -> tuple[object, ...]:
    """What a configuration is loaded from: the settings it reads, and every file (with its
    size and modification time) of the mapping directories and the attestations."""
    files: list[tuple[str, int, int]] = []
    directories = [project_dir, *settings.mappings_dirs]
    paths = [p for d in directories if d.is_dir() for p in d.rglob("*") if p.is_file()]
    if settings.attestations is not None:
        paths.append(settings.attestations)
    for path in sorted(paths):
        try:
            stat = path.stat()
        except OSError:
            files.append((str(path), -1, -1))
            continue
        files.append((str(path), stat.st_size, stat.st_mtime_ns))
    return (
        framework,
        str(project_dir),
        tuple(str(d) for d in settings.mappings_dirs),
        str(settings.attestations),
        settings.production_environments,
        tuple(files),
    )


def load_configuration_once(
    settings: Settings | None = None,
    *,
    project_dir: Path = PROJECT_MAPPINGS_DIR,
    framework: str = FRAMEWORK,
) -> ControlConfiguration:
    """`load_configuration`, reused in this process while nothing it is loaded from changed
    (the control assets of one run load it once, not once each)."""
    global _last_loaded
    settings = settings or Settings.from_env()
    inputs = _inputs(settings, project_dir, framework)
    if _last_loaded is not None and _last_loaded[0] == inputs:
        return _last_loaded[1]
    configuration = load_configuration(settings, project_dir=project_dir, framework=framework)
    _last_loaded = (inputs, configuration)
    return configuration


def check_rules(configuration: ControlConfiguration) -> None:
    """Dry-run every mapped rule against an empty warehouse with the helpers in place: one
    SELECT, parameters matching the mapping, the required columns returned."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET TimeZone = 'UTC'")
        migrate(con)
        as_of = datetime.now(UTC)
        prepare_helpers(con, as_of, configuration.production_environments)
        disable_external_access(con)
        engine = engine_parameters(as_of, configuration.production_environments)
        problems: list[Problem] = []
        for mapped in configuration.all_rules():
            problems.extend(_check_rule(con, mapped, engine))
    finally:
        con.close()
    if problems:
        raise ControlConfigurationError(problems)


def _check_rule(
    con: duckdb.DuckDBPyConnection, mapped: MappedRule, engine: dict[str, object]
) -> list[Problem]:
    path = mapped.rule.path
    try:
        statements = con.extract_statements(mapped.rule.sql)
    except duckdb.Error as exc:
        return [Problem(path, None, f"the query does not parse: {_first_line(exc)}")]
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        return [Problem(path, None, "a rule is exactly one SELECT statement")]
    statement = statements[0]
    used = set(statement.named_parameters)
    given = set(mapped.params)
    problems = [
        Problem(mapped.source, None, f"parameter {name!r} is set by the engine, not by a mapping")
        for name in sorted(given & ENGINE_PARAMETERS)
    ]
    for name in sorted(used - given - ENGINE_PARAMETERS):
        problems.append(
            Problem(mapped.source, None, f"rule {mapped.rule_id} uses ${name}; give it in params")
        )
    for name in sorted(given - used):
        problems.append(
            Problem(mapped.source, None, f"rule {mapped.rule_id} does not use parameter {name!r}")
        )
    if problems:
        return problems
    params = {**{k: v for k, v in engine.items() if k in used}, **mapped.params}
    try:
        columns = con.sql(mapped.rule.sql, params=params).columns
    except duckdb.PermissionException:
        # It reaches outside the warehouse: kept, so that evaluation records an error row.
        return []
    except duckdb.Error as exc:
        return [Problem(path, None, f"the query fails on an empty warehouse: {_first_line(exc)}")]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return [
            Problem(
                path,
                None,
                f"the query does not return the required column(s) {', '.join(missing)} "
                f"(a rule returns {', '.join(REQUIRED_COLUMNS)})",
            )
        ]
    return []


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]
