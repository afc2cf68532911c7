"""The `evidence-pipeline` command line: `run`, `status`, `demo`."""

from __future__ import annotations

import importlib
from typing import ClassVar

import click


class EvidenceCommands(click.Group):
    """Loads each command's module when it is used; a command whose module is absent is hidden."""

    COMMANDS: ClassVar[dict[str, tuple[str, str]]] = {
        "run": ("evidence_pipeline.commands.run", "run_command"),
        "status": ("evidence_pipeline.commands.status", "status_command"),
        "demo": ("evidence_pipeline.commands.demo", "demo_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in self.COMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    def _load(self, name: str) -> click.Command | None:
        if name not in self.COMMANDS:
            return None
        module_name, attribute = self.COMMANDS[name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            return None  # this installation does not have the command
        return getattr(module, attribute, None)


@click.group(cls=EvidenceCommands)
def main() -> None:
    """Evidence for ISO/IEC 42001 Annex A controls, from MLflow, Great Expectations and
    deployment logs, in a DuckDB warehouse."""
