"""The validations the demo's training pipeline runs on its data right before each training run.

`gx_checkpoints.py` builds the Great Expectations project and its scheduled runs of the last
days. A team that validates its training data also has older results: before each source run
in `registry.py` that names data assets (run tag `data_asset`), the suites of those assets
were validated on the data it was about to train on, and passed. Those results are what
`live_version_training_data_validated` looks for (the latest validation before the run
started). They are older than every scheduled run, so the latest validation of each suite
(`data_asset_latest_validation_passed`) stays the scheduled one.

GX writes them itself: each suite's validation definition, as `gx_checkpoints.py` saved it in
the file data context, is run with a run time in the past.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import numpy as np

from evidence_pipeline.demo.gx_checkpoints import _DATA as DEMO_DATA


def write_pre_training_validations(
    project_dir: Path, checks: Iterable[tuple[datetime, str, tuple[str, ...]]]
) -> int:
    """Validate every suite of each named data asset at each instant; returns the runs made.

    `checks` are `(instant, run name, data assets as datasource/asset)`. An asset the GX
    project does not define is an error: the registry would name data nobody validates.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    definitions = defaultdict(list)
    for definition in context.validation_definitions.all():
        asset = definition.data.data_asset
        definitions[f"{asset.datasource.name}/{asset.name}"].append(definition)

    rng = np.random.default_rng(42_002)
    runs = 0
    for instant, run_name, assets in checks:
        for data_asset in assets:
            if data_asset not in definitions:
                raise LookupError(f"the demo's GX project has no suite for {data_asset}")
            frame = DEMO_DATA[data_asset.split("/", 1)[1]](rng, False)
            for definition in sorted(definitions[data_asset], key=lambda d: d.name):
                definition.run(
                    batch_parameters={"dataframe": frame},
                    run_id=RunIdentifier(run_name=run_name, run_time=instant),
                )
                runs += 1
    return runs
