"""`evidence-pipeline demo`: build a sample ML estate locally and run the pipeline on it."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import click

from evidence_pipeline.commands.run import print_summary, run_pipeline
from evidence_pipeline.demo.estate import MARKER, DemoEstate, build_demo_estate
from evidence_pipeline.demo.report import print_warehouse_report
from evidence_pipeline.settings import SettingsError
from evidence_pipeline.warehouse.store import Warehouse

DEFAULT_DIR = Path(".demo")


def _clear(root: Path) -> None:
    """Remove an earlier demo estate; refuse to remove a directory the demo did not make."""
    if not root.exists():
        return
    if not (root / MARKER).exists() and any(root.iterdir()):
        raise click.ClickException(
            f"{root} is not empty and was not made by `evidence-pipeline demo`; "
            "choose another --dir"
        )
    shutil.rmtree(root)


@click.command("demo")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DIR,
    show_default=True,
    help="Where to build the estate and its warehouse.",
)
@click.option(
    "--keep",
    is_flag=True,
    help="Keep an estate already built there and run the pipeline on it again.",
)
def demo_command(directory: Path, keep: bool) -> None:
    """Build a sample ML estate (MLflow registry, Great Expectations results, deployment
    logs, attestations) in a directory and run the pipeline on it."""
    started = time.monotonic()
    estate = DemoEstate(directory.expanduser().resolve())
    if keep and estate.exists:
        click.echo(f"Keeping the demo estate in {estate.root}")
    else:
        _clear(estate.root)
        click.echo(f"Building a sample ML estate in {estate.root} ...")
        build_demo_estate(estate.root)
        click.echo(f"  built in {time.monotonic() - started:.1f} s:")
        click.echo(f"    MLflow registry      {estate.mlflow_tracking_uri}")
        click.echo(f"    GX results           {estate.gx_results}")
        click.echo(f"    deployment logs      {estate.deploy_logs}")
        click.echo(f"    attestations         {estate.attestations}")
    os.environ.update(estate.env)
    try:
        outcome = run_pipeline()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    print_summary(outcome)
    if estate.warehouse.exists():
        print_warehouse_report(Warehouse(estate.warehouse), click.echo)
    click.echo(f"Demo finished in {time.monotonic() - started:.1f} s.")
    if not outcome.succeeded:
        for line in outcome.failures:
            click.echo(f"Failed: {line}", err=True)
        raise SystemExit(1)
