"""Great Expectations validation results from real checkpoint runs over realistic pandas data.

`write_gx_validation_results` builds a GX Core 1.x file data context, defines data assets,
expectation suites and checkpoints, and runs the checkpoints at a few instants in the past.
GX itself writes each result: a file data context's `validation_results_store` is a
`TupleFilesystemStoreBackend` rooted at `gx/uncommitted/validations/`, and every
`ValidationDefinition.run` (which `Checkpoint.run` calls) stores its
`ExpectationSuiteValidationResult` there as
`<suite_name>/<run_name>/<run_time>/<batch_id>.json`. No checkpoint action is needed and
nothing is serialised by hand.

The estate, as of `now`:
- `warehouse/customers`, suite `customers_quality`: passes, validated 2 days and 6 hours ago.
- `warehouse/transactions`, suite `transactions_quality`: passed 2 days ago, fails 6 hours ago
  (negative amounts and an unknown currency slipped into the latest load).
- `warehouse/loan_applications`, suites `loan_applications_quality` (passes) and
  `loan_applications_fairness` (fails: applicant age outside the allowed range).
- `feature_store/credit_features`, suite `credit_features_quality`: passed, but only
  10 days ago (stale against a 7-day freshness rule).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROWS = 240


@dataclass(frozen=True)
class _Suite:
    datasource: str
    asset: str
    name: str
    expectations: tuple


@dataclass(frozen=True)
class _Run:
    """One checkpoint run: which suite, how long before `now`, and whether the data is bad."""

    suite: str
    age: timedelta
    bad_data: bool = False


def _customers(rng: np.random.Generator, bad: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(10_000, 10_000 + ROWS),
            "email": [f"customer{i}@example.com" for i in range(ROWS)],
            "country": rng.choice(["DE", "FR", "NL", "IE", "ES"], ROWS),
            "signup_date": pd.date_range("2024-01-01", periods=ROWS, freq="D").astype(str),
        }
    )
    if bad:
        frame.loc[frame.index[:5], "email"] = None
    return frame


def _transactions(rng: np.random.Generator, bad: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "transaction_id": np.arange(ROWS) + 500_000,
            "customer_id": rng.integers(10_000, 10_000 + ROWS, ROWS),
            "amount": rng.gamma(2.0, 60.0, ROWS).round(2),
            "currency": rng.choice(["EUR", "GBP", "USD"], ROWS),
        }
    )
    if bad:
        frame.loc[frame.index[:7], "amount"] = -frame["amount"].iloc[:7]
        frame.loc[frame.index[7:9], "currency"] = "XXX"
    return frame


def _loan_applications(rng: np.random.Generator, bad: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "application_id": [f"APP-{i:06d}" for i in range(ROWS)],
            "applicant_age": rng.integers(21, 75, ROWS),
            "income": rng.normal(52_000, 14_000, ROWS).round(0).clip(9_000),
            "loan_amount": rng.integers(1_000, 40_000, ROWS),
            "decision": rng.choice(["approved", "declined", "review"], ROWS, p=[0.6, 0.3, 0.1]),
        }
    )
    if bad:
        frame.loc[frame.index[:4], "applicant_age"] = 16
    return frame


def _credit_features(rng: np.random.Generator, bad: bool) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "customer_id": np.arange(10_000, 10_000 + ROWS),
            "utilisation_ratio": rng.beta(2, 5, ROWS).round(4),
            "months_on_book": rng.integers(1, 180, ROWS),
        }
    )
    if bad:
        frame.loc[frame.index[:3], "utilisation_ratio"] = 1.7
    return frame


_DATA = {
    "customers": _customers,
    "transactions": _transactions,
    "loan_applications": _loan_applications,
    "credit_features": _credit_features,
}


def _suites() -> list[_Suite]:
    import great_expectations.expectations as gxe

    return [
        _Suite(
            "warehouse",
            "customers",
            "customers_quality",
            (
                gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
                gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
                gxe.ExpectColumnValuesToNotBeNull(column="email"),
                gxe.ExpectColumnValuesToBeInSet(
                    column="country", value_set=["DE", "FR", "NL", "IE", "ES", "IT"]
                ),
            ),
        ),
        _Suite(
            "warehouse",
            "transactions",
            "transactions_quality",
            (
                gxe.ExpectColumnValuesToBeUnique(column="transaction_id"),
                gxe.ExpectColumnValuesToBeBetween(column="amount", min_value=0, max_value=50_000),
                gxe.ExpectColumnValuesToBeInSet(column="currency", value_set=["EUR", "GBP", "USD"]),
                gxe.ExpectTableRowCountToBeBetween(min_value=100, max_value=100_000),
            ),
        ),
        _Suite(
            "warehouse",
            "loan_applications",
            "loan_applications_quality",
            (
                gxe.ExpectColumnValuesToNotBeNull(column="application_id"),
                gxe.ExpectColumnValuesToBeUnique(column="application_id"),
                gxe.ExpectColumnValuesToBeInSet(
                    column="decision", value_set=["approved", "declined", "review"]
                ),
            ),
        ),
        _Suite(
            "warehouse",
            "loan_applications",
            "loan_applications_fairness",
            (
                gxe.ExpectColumnValuesToBeBetween(
                    column="applicant_age", min_value=18, max_value=100
                ),
                gxe.ExpectColumnMeanToBeBetween(
                    column="income", min_value=20_000, max_value=120_000
                ),
            ),
        ),
        _Suite(
            "feature_store",
            "credit_features",
            "credit_features_quality",
            (
                gxe.ExpectColumnValuesToBeBetween(
                    column="utilisation_ratio", min_value=0, max_value=1
                ),
                gxe.ExpectColumnValuesToNotBeNull(column="months_on_book"),
            ),
        ),
    ]


RUNS = (
    _Run("customers_quality", timedelta(days=2)),
    _Run("customers_quality", timedelta(hours=6)),
    _Run("transactions_quality", timedelta(days=2)),
    _Run("transactions_quality", timedelta(hours=6), bad_data=True),
    _Run("loan_applications_quality", timedelta(days=1)),
    _Run("loan_applications_fairness", timedelta(days=1), bad_data=True),
    _Run("credit_features_quality", timedelta(days=10)),
)


def write_gx_validation_results(project_dir: Path, *, now: datetime | None = None) -> Path:
    """Run real GX checkpoints in a file data context under `project_dir`.

    Returns the directory GX wrote the validation result JSON files to (the context's
    `uncommitted/validations`), ready to be used as `EVIDENCE_GX_RESULTS`. Calling it again
    on the same directory adds the results of new runs beside the earlier ones.
    """
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    now = (now or datetime.now(UTC)).astimezone(UTC)
    project_dir.mkdir(parents=True, exist_ok=True)
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)

    checkpoints = {}
    for suite_spec in _suites():
        try:
            datasource = context.data_sources.get(suite_spec.datasource)
        except KeyError:
            datasource = context.data_sources.add_pandas(suite_spec.datasource)
        try:
            asset = datasource.get_asset(suite_spec.asset)
        except LookupError:
            asset = datasource.add_dataframe_asset(suite_spec.asset)
        try:
            batch = asset.get_batch_definition("whole_frame")
        except KeyError:
            batch = asset.add_batch_definition_whole_dataframe("whole_frame")
        suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=suite_spec.name, expectations=list(suite_spec.expectations))
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite_spec.name, data=batch, suite=suite)
        )
        checkpoints[suite_spec.name] = (
            suite_spec.asset,
            context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=f"{suite_spec.name}_checkpoint",
                    validation_definitions=[definition],
                    actions=[],
                )
            ),
        )

    rng = np.random.default_rng(42_001)
    for run in RUNS:
        asset_name, checkpoint = checkpoints[run.suite]
        frame = _DATA[asset_name](rng, run.bad_data)
        run_time = now - run.age
        checkpoint.run(
            batch_parameters={"dataframe": frame},
            run_id=RunIdentifier(run_name=f"scheduled_{run.suite}", run_time=run_time),
        )
    return Path(context.root_directory) / "uncommitted" / "validations"
