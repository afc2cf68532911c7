"""The demo's MLflow registry: registered models, versions and their source runs.

Everything is written with the MLflow client into a local sqlite store. MLflow stamps every
registry entry with the current time and offers no way to set it, so once the entries exist
their creation times are moved back to when the estate says they were registered (one
`UPDATE` per entry in the sqlite store). Without that, every entry would look registered
seconds before the pipeline runs: deployments from the past weeks would all precede their
versions, and a backfill would find an empty registry.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import warnings
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from evidence_pipeline.demo.timeline import Timeline, epoch_millis


@dataclass(frozen=True)
class TrainingData:
    """A dataset input of a source run; `with_digest=False` logs it without a digest."""

    name: str
    source: str
    context: str = "training"
    with_digest: bool = True


@dataclass(frozen=True)
class DemoVersion:
    registered_days_ago: float
    tags: dict[str, str]
    params: dict[str, str]
    metrics: dict[str, float]
    datasets: tuple[TrainingData, ...]
    trained_by: str = "training-pipeline"
    # The Great Expectations data assets the run trained on (run tag `data_asset`); the
    # training pipeline validates each of them right before the run starts.
    data_assets: tuple[str, ...] = ()

    def training_started(self, timeline: Timeline) -> datetime:
        """When the source run started: three hours before the version was registered."""
        return timeline.ago(self.registered_days_ago, hours=3)


@dataclass(frozen=True)
class DemoModel:
    name: str
    description: str
    registered_days_ago: float
    tags: dict[str, str]
    versions: tuple[DemoVersion, ...]
    aliases: dict[str, str] = field(default_factory=dict)


def demo_models(timeline: Timeline) -> tuple[DemoModel, ...]:
    """The registry's content. Comments say which control outcome each entry is there for.

    The team follows the registry conventions (docs/control-catalog.md): every model records
    its acceptance criterion, third-party models the agreement that allocates responsibilities,
    every run its code version and the validated data assets it trained on. The gaps are
    deliberate, each noted where it is made.
    """
    day = timeline.ago

    def assessed(days_ago: float) -> str:
        return day(days_ago).strftime("%Y-%m-%d")

    def accepted_on(metric: str, threshold: str, direction: str | None = None) -> dict[str, str]:
        tags = {"acceptance_metric": metric, "acceptance_threshold": threshold}
        return tags | ({"acceptance_direction": direction} if direction else {})

    card = "s3://ml-docs/model-cards/{}/v{}.md".format
    lake = "s3://datalake/curated/{}".format
    credit_data = ("warehouse/loan_applications", "feature_store/credit_features")
    payments_data = ("warehouse/transactions", "warehouse/customers")
    return (
        # High risk, assessed 120 days ago; v3 failed validation, was deployed and rolled back.
        DemoModel(
            name="credit-risk-scorer",
            description="Probability of default for retail loan applications.",
            registered_days_ago=170,
            tags={
                "owner": "risk-analytics@example.com",
                "risk_tier": "high",
                "intended_use": "Decision support for credit officers; never an automatic "
                "rejection.",
                "impact_assessment": "IA-2026-014",
                "impact_assessment_date": assessed(120),
                "provider": "internal",
                **accepted_on("auc", "0.85"),
            },
            versions=(
                DemoVersion(
                    160,
                    {
                        "model_card": card("credit-risk-scorer", 1),
                        "validation_status": "passed",
                        "approved_by": "carol.nguyen",
                    },
                    {"algorithm": "xgboost", "max_depth": "6", "n_estimators": "300"},
                    {"auc": 0.861, "ks": 0.47},
                    (TrainingData("loan_book_2025h2", lake("loans/2025h2.parquet")),),
                    data_assets=credit_data,
                ),
                DemoVersion(
                    45,
                    {
                        "model_card": card("credit-risk-scorer", 2),
                        "validation_status": "passed",
                        "approved_by": "carol.nguyen",
                    },
                    {"algorithm": "xgboost", "max_depth": "7", "n_estimators": "400"},
                    {"auc": 0.874, "ks": 0.49},
                    (
                        TrainingData("loan_book_2026h1", lake("loans/2026h1.parquet")),
                        TrainingData(
                            "loan_book_holdout", lake("loans/holdout.parquet"), context="eval"
                        ),
                    ),
                    data_assets=credit_data,
                ),
                DemoVersion(
                    11,
                    {"model_card": card("credit-risk-scorer", 3), "validation_status": "failed"},
                    {"algorithm": "lightgbm", "num_leaves": "63", "n_estimators": "500"},
                    {"auc": 0.852, "ks": 0.44},
                    (TrainingData("loan_book_2026q3", lake("loans/2026q3.parquet")),),
                    data_assets=credit_data,
                ),
            ),
            aliases={"champion": "2", "challenger": "3"},
        ),
        # High risk with an impact assessment older than 365 days (stale); its live version has
        # no model card.
        DemoModel(
            name="fraud-detector",
            description="Flags card transactions for manual review.",
            registered_days_ago=420,
            tags={
                "owner": "payments-ml@example.com",
                "risk_tier": "HIGH",
                "intended_use": "Queue suspicious card transactions for an analyst.",
                "impact_assessment": "IA-2025-003",
                "impact_assessment_date": assessed(400),
                "provider": "internal",
                **accepted_on("precision_at_1pct", "0.7"),
            },
            versions=(
                DemoVersion(
                    200,
                    {
                        "model_card": card("fraud-detector", 1),
                        "validation_status": "passed",
                        "approved_by": "frank.miller",
                    },
                    {"algorithm": "isolation_forest", "contamination": "0.01"},
                    {"precision_at_1pct": 0.71, "recall": 0.64},
                    (TrainingData("card_transactions_2025", lake("payments/tx_2025.parquet")),),
                    data_assets=payments_data,
                ),
                DemoVersion(
                    35,
                    {"validation_status": "passed", "approved_by": "frank.miller"},
                    {"algorithm": "gradient_boosting", "learning_rate": "0.05"},
                    {"precision_at_1pct": 0.78, "recall": 0.69},
                    (TrainingData("card_transactions_2026", lake("payments/tx_2026.parquet")),),
                    data_assets=payments_data,
                ),
            ),
            aliases={"champion": "2"},
        ),
        # Medium risk, no intended use recorded. Its live version misses the model's acceptance
        # criterion (AUC 0.79 against 0.80). Self-approved deployment; a deployment of a version
        # the registry does not have (4), rolled back.
        DemoModel(
            name="churn-predictor",
            description="Likelihood that a subscriber cancels within 60 days.",
            registered_days_ago=60,
            tags={
                "owner": "growth-analytics@example.com",
                "risk_tier": "Medium",
                "provider": "internal",
                **accepted_on("auc", "0.80"),
            },
            versions=(
                DemoVersion(
                    25,
                    {
                        "model_card": card("churn-predictor", 1),
                        "validation_status": "passed",
                        "approved_by": "alice.wong",
                    },
                    {"algorithm": "logistic_regression", "C": "0.5"},
                    {"auc": 0.79},
                    (TrainingData("subscriber_activity", lake("growth/activity.parquet")),),
                    data_assets=("warehouse/customers",),
                ),
            ),
            aliases={"production": "1"},
        ),
        # High risk without any impact assessment. Deployed on SageMaker (CloudTrail). The live
        # version was retrained on an ad-hoc CSV export instead of the validated warehouse
        # table: logged without a digest (no lineage) and with no validated data asset.
        DemoModel(
            name="loan-approval",
            description="Recommends approve / refer for small-business loans.",
            registered_days_ago=100,
            tags={
                "owner": "sme-lending@example.com",
                "risk_tier": "high",
                "intended_use": "Recommendation to an underwriter, who decides.",
                "provider": "internal",
                **accepted_on("auc", "0.8"),
            },
            versions=(
                DemoVersion(
                    90,
                    {
                        "model_card": card("loan-approval", 1),
                        "validation_status": "passed",
                        "approved_by": "grace.hopper",
                    },
                    {"algorithm": "random_forest", "n_estimators": "250"},
                    {"auc": 0.81},
                    (TrainingData("sme_loans_2025", lake("sme/loans_2025.parquet")),),
                    data_assets=("warehouse/loan_applications",),
                ),
                DemoVersion(
                    8,
                    {
                        "model_card": card("loan-approval", 2),
                        "validation_status": " Passed ",
                        "approved_by": "grace.hopper",
                    },
                    {"algorithm": "random_forest", "n_estimators": "400"},
                    {"auc": 0.83},
                    (
                        TrainingData(
                            "sme_loans_extract", "/mnt/exports/sme_loans.csv", with_digest=False
                        ),
                    ),
                ),
            ),
            aliases={"champion": "2"},
        ),
        # A third-party model with a supplier assessment and a responsibility agreement, judged
        # on an error rate (at most). It is tuned on labelled support tickets, a dataset no
        # quality suite covers: its training data is documented, not validated.
        DemoModel(
            name="support-chat-llm",
            description="Drafts replies for customer-support agents.",
            registered_days_ago=110,
            tags={
                "owner": "cx-platform@example.com",
                "risk_tier": "medium",
                "intended_use": "Draft replies that an agent reviews before sending.",
                "provider": "Northwind AI",
                "supplier_assessment": "SA-2026-003",
                "responsibility_agreement": "MSA-NW-2025-07, annex B (RACI)",
                **accepted_on("toxicity_rate", "0.005", "at_most"),
            },
            versions=(
                DemoVersion(
                    100,
                    {
                        "model_card": card("support-chat-llm", 1),
                        "validation_status": "passed",
                        "approved_by": "maria.garcia",
                    },
                    {"base_model": "northwind-chat-8b", "temperature": "0.2"},
                    {"helpfulness": 4.3, "toxicity_rate": 0.002},
                    (TrainingData("support_tickets_labelled", lake("cx/tickets.parquet")),),
                ),
            ),
        ),
        # A third-party model onboarded a month ago, still in staging: owned and covered by an
        # agreement, but its supplier has not been assessed yet.
        DemoModel(
            name="doc-summarizer",
            description="Summarises contracts for the legal team.",
            registered_days_ago=30,
            tags={
                "owner": "legal-tech@example.com",
                "risk_tier": "low",
                "intended_use": "Internal summaries; the contract remains the reference.",
                "provider": "Contoso Models",
                "responsibility_agreement": "DPA-CONTOSO-2026-02",
                **accepted_on("rouge_l", "0.35"),
            },
            versions=(
                DemoVersion(
                    20,
                    {"model_card": card("doc-summarizer", 1), "validation_status": "passed"},
                    {"base_model": "contoso-sum-large", "max_tokens": "512"},
                    {"rouge_l": 0.41},
                    (TrainingData("contracts_sample", lake("legal/contracts.parquet")),),
                ),
            ),
        ),
        # Low risk, deployed and later undeployed: no longer live.
        DemoModel(
            name="demand-forecast",
            description="Weekly demand per store and product family.",
            registered_days_ago=130,
            tags={
                "owner": "supply-chain@example.com",
                "risk_tier": "low",
                "intended_use": "Replenishment planning.",
                "provider": "internal",
                **accepted_on("mape", "0.15", "at_most"),
            },
            versions=(
                DemoVersion(
                    120,
                    {
                        "model_card": card("demand-forecast", 1),
                        "validation_status": "passed",
                        "approved_by": "lee.park",
                    },
                    {"algorithm": "prophet", "seasonality_mode": "multiplicative"},
                    {"mape": 0.12},
                    (TrainingData("store_sales", lake("retail/sales.parquet")),),
                ),
            ),
        ),
    )


def pre_training_validations(timeline: Timeline) -> list[tuple[datetime, str, tuple[str, ...]]]:
    """The checkpoints the training pipeline ran before each run: (instant, run name, assets).

    Half an hour before each source run that names data assets, their suites were validated.
    """
    return [
        (
            version.training_started(timeline) - timedelta(minutes=30),
            f"pre_training_{model.name}_v{number}",
            version.data_assets,
        )
        for model in demo_models(timeline)
        for number, version in enumerate(model.versions, start=1)
        if version.data_assets
    ]


def _sample_frame(name: str, rows: int = 50) -> pd.DataFrame:
    """A small frame standing for the training data; its content (and digest) depends on `name`."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    return pd.DataFrame(
        {
            "feature_a": rng.normal(size=rows),
            "feature_b": rng.uniform(size=rows),
            "label": rng.integers(0, 2, size=rows).astype("float64"),
        }
    )


def _log_source_run(
    client, experiment_id: str, model: DemoModel, version: DemoVersion, timeline: Timeline
) -> str:
    import mlflow
    from mlflow.entities import Dataset, DatasetInput, InputTag

    started = version.training_started(timeline)
    # What MLflow records when a run starts from a git checkout, and the data assets the run
    # trained on (docs/control-catalog.md, "Training runs").
    commit = hashlib.sha1(f"{model.name}@{version.registered_days_ago}".encode()).hexdigest()
    tags = {
        "mlflow.runName": f"train-{model.name}",
        "mlflow.user": version.trained_by,
        "mlflow.source.type": "JOB",
        "mlflow.source.name": f"pipelines/train_{model.name.replace('-', '_')}.py",
        "mlflow.source.git.commit": commit,
        "team": model.tags.get("owner", "unknown"),
    }
    if version.data_assets:
        tags["data_asset"] = ",".join(version.data_assets)
    run = client.create_run(
        experiment_id,
        start_time=epoch_millis(started),
        tags=tags,
        run_name=f"train-{model.name}",
    )
    run_id = run.info.run_id
    with mlflow.start_run(run_id=run_id):
        mlflow.log_params(version.params)
        mlflow.log_metrics(version.metrics)
        for data in version.datasets:
            if data.with_digest:
                dataset = mlflow.data.from_pandas(
                    _sample_frame(data.name), source=data.source, name=data.name
                )
                mlflow.log_input(dataset, context=data.context)
            else:
                client.log_inputs(
                    run_id,
                    datasets=[
                        DatasetInput(
                            Dataset(data.name, digest="", source_type="local", source=data.source),
                            tags=[InputTag("mlflow.data.context", data.context)],
                        )
                    ],
                )
    client.set_terminated(run_id, "FINISHED", end_time=epoch_millis(started) + 40 * 60 * 1000)
    return run_id


def write_mlflow_registry(store_dir: Path, timeline: Timeline) -> str:
    """Write the demo registry into `store_dir/mlflow.db`; returns its tracking URI."""
    import mlflow
    from mlflow import MlflowClient

    store_dir.mkdir(parents=True, exist_ok=True)
    db_path = store_dir / "mlflow.db"
    uri = f"sqlite:///{db_path}"
    for name in ("mlflow", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    models = demo_models(timeline)
    previous_uri = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        experiment_id = client.create_experiment(
            "model-training", artifact_location=(store_dir / "artifacts").as_uri()
        )
        created: list[tuple[str, str | None, datetime]] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for model in models:
                client.create_registered_model(model.name, model.tags, model.description)
                created.append((model.name, None, timeline.ago(model.registered_days_ago)))
                for version in model.versions:
                    run_id = _log_source_run(client, experiment_id, model, version, timeline)
                    entry = client.create_model_version(
                        model.name,
                        source=f"runs:/{run_id}/model",
                        run_id=run_id,
                        tags=version.tags,
                        description=f"Trained by {version.trained_by}.",
                    )
                    created.append(
                        (model.name, entry.version, timeline.ago(version.registered_days_ago))
                    )
                for alias, number in model.aliases.items():
                    client.set_registered_model_alias(model.name, alias, number)
    finally:
        mlflow.set_tracking_uri(previous_uri)
    _backdate_registry(db_path, created)
    return uri


def _backdate_registry(db_path: Path, created: list[tuple[str, str | None, datetime]]) -> None:
    """Set each entry's creation (and last update) time to when the estate registered it."""
    with sqlite3.connect(db_path) as db:
        for name, version, registered_at in created:
            millis = epoch_millis(registered_at)
            if version is None:
                db.execute(
                    "UPDATE registered_models SET creation_time = ?, last_updated_time = ? "
                    "WHERE name = ?",
                    (millis, millis, name),
                )
            else:
                db.execute(
                    "UPDATE model_versions SET creation_time = ?, last_updated_time = ? "
                    "WHERE name = ? AND version = ?",
                    (millis, millis, name, int(version)),
                )
    # The registered models' latest update is their newest version's registration.
    with sqlite3.connect(db_path) as db:
        db.execute(
            "UPDATE registered_models SET last_updated_time = "
            "(SELECT max(v.creation_time) FROM model_versions v WHERE v.name = "
            "registered_models.name) WHERE EXISTS (SELECT 1 FROM model_versions v "
            "WHERE v.name = registered_models.name)"
        )
