"""The benchmark at a tiny scale, against the session's real servers: it runs end to end and
writes every figure as a number. No timing is asserted: a test machine's speed says nothing."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bench.controls import rules_evaluated_day_by_day
from tests.servers import MlflowServer

REPO = Path(__file__).resolve().parents[2]

FIGURES = (
    "deploy_logs_vs_floor",
    "gx_vs_floor",
    "mlflow_vs_paging",
    "mlflow_speedup_vs_naive",
    "noop_rerun_vs_full",
    "one_percent_rerun_vs_full",
    "peak_rss_mib",
    "evaluation_seconds",
    "backfill_90d_seconds",
    "events_per_second",
)


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_benchmark_runs_at_tiny_scale(
    mlflow_server: MlflowServer, moto_endpoint: str, tmp_path: Path
) -> None:
    out = tmp_path / "latest.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--scale",
            "0.002",
            "--cache-dir",
            "",
            "--out",
            str(out),
            "--mlflow-url",
            mlflow_server.url,
            "--mlflow-backend-uri",
            mlflow_server.backend_uri,
            "--s3-endpoint",
            moto_endpoint,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1450,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    results = json.loads(out.read_text())

    for key in FIGURES:
        value = results.get(key)
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value), (key, value)
    assert results["machine"]["cores"] >= 1
    assert results["machine"]["memory_gib"] > 0
    assert results["workload"]["model_versions"] == 20
    for label in ("full", "noop_rerun", "one_percent_rerun"):
        assert results["runs"][label]["exit_code"] == 0, results["runs"][label]
    # every floor is measured before and after the pipeline's runs, and the best one is used
    passes = results["details"]["baseline_passes"]
    for floor in ("deploy_logs_floor", "gx_floor", "mlflow_paging", "mlflow_naive_estimated"):
        assert len(passes[floor]) == 2, passes
        assert results["seconds"][floor] == min(passes[floor])
    # every shipped rule ran for all the days at once (the log would name any that did not)
    assert results["details"]["backfill"]["rules_evaluated_day_by_day"] == []
    assert "deploy_logs_vs_floor" in completed.stdout  # the table is printed


def test_the_benchmark_names_the_rules_a_backfill_evaluated_day_by_day(tmp_path) -> None:
    log = tmp_path / "backfill.log"
    log.write_text(
        "backfill: live_rule cannot be run for all the days at once\n"
        "other output\n"
        "backfill: big_rule failed when run for all the days at once (Out of Memory Error: "
        "failed to pin block); evaluating it day by day instead\n",
        encoding="utf-8",
    )
    assert rules_evaluated_day_by_day(log) == ["big_rule", "live_rule"]
    assert rules_evaluated_day_by_day(tmp_path / "absent.log") == []
