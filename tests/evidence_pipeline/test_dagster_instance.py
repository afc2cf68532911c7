"""Processes that open the same fresh Dagster instance at once all get it."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

OPENERS = 6


def _open_instance(home: str, barrier: multiprocessing.synchronize.Barrier) -> None:
    os.environ["DAGSTER_HOME"] = home
    from evidence_pipeline.commands.run import dagster_instance

    barrier.wait()
    with dagster_instance() as instance:
        instance.get_runs(limit=1)


def test_processes_opening_a_fresh_instance_together_all_succeed(tmp_path: Path) -> None:
    # Two `evidence-pipeline run` started together on a new DAGSTER_HOME used to fail
    # with "table secondary_indexes already exists" from Dagster's sqlite storage.
    home = tmp_path / "dagster_home"
    home.mkdir()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(OPENERS)
    openers = [
        context.Process(target=_open_instance, args=(str(home), barrier)) for _ in range(OPENERS)
    ]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(timeout=120)
    assert [opener.exitcode for opener in openers] == [0] * OPENERS
