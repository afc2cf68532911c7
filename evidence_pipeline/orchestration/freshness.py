"""Freshness policies: the UI marks evidence overdue when its asset was not materialised in time."""

from collections.abc import Callable, Sequence
from datetime import timedelta

import dagster as dg

from evidence_pipeline.orchestration.config import FreshnessSettings

CONTROL_RESULTS = dg.AssetKey(["evidence", "control_results"])


def freshness_policy(settings: FreshnessSettings) -> dg.FreshnessPolicy:
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(hours=settings.fail_hours),
        warn_window=timedelta(hours=settings.warn_hours),
    )


def is_evidence(spec: dg.AssetSpec) -> bool:
    """Ingested evidence and the current evaluation: what goes overdue when runs stop."""
    return (spec.group_name or "").startswith("ingestion_") or spec.key == CONTROL_RESULTS


def with_freshness(
    assets: Sequence[dg.AssetsDefinition],
    settings: FreshnessSettings,
    applies_to: Callable[[dg.AssetSpec], bool] = is_evidence,
) -> list[dg.AssetsDefinition]:
    """The same assets, the specs `applies_to` selects carrying the freshness policy."""
    policy = freshness_policy(settings)
    result = []
    for asset in assets:
        if any(applies_to(spec) for spec in asset.specs):
            (asset,) = dg.map_asset_specs(
                lambda spec: (
                    spec.replace_attributes(freshness_policy=policy) if applies_to(spec) else spec
                ),
                [asset],
            )
        result.append(asset)
    return result
