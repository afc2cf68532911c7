"""Markdown tables of a results file, for docs/benchmarks.md.

python -m bench.report bench/results/latest.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FIGURES = (
    ("deploy_logs_vs_floor", "deploy-log ingestion ÷ (boto3 download + `read_json`)"),
    ("gx_vs_floor", "GX ingestion ÷ `read_json` over the files"),
    ("mlflow_vs_paging", "MLflow ingestion ÷ `search_model_versions` paging"),
    ("mlflow_speedup_vs_naive", "naive (`get_run` per version) ÷ MLflow ingestion"),
    ("noop_rerun_vs_full", "no-op rerun ÷ full run, whole processes"),
    ("one_percent_rerun_vs_full", "1 % rerun ÷ full run, whole processes"),
    ("peak_rss_mib", "peak RSS of a pipeline process tree, MiB"),
    ("evaluation_seconds", "one control evaluation, s"),
    ("backfill_90d_seconds", "90-day backfill, s"),
    ("backfill_vs_full_ingestion", "backfill ÷ full ingestion (sum of the sources)"),
    ("events_per_second", "deployment events read per second of ingestion"),
)

STEPS = (
    ("evidence/control_catalog", "control catalog"),
    ("mlflow_registry", "MLflow"),
    ("raw/deployment_events", "deployment logs"),
    ("raw/gx_validations", "GX"),
    ("evidence/control_results", "control evaluation"),
)


def _number(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "met" if value else "**missed**"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def figures_table(results: dict[str, Any]) -> str:
    lines = ["| figure | value | target | | what |", "|---|---|---|---|---|"]
    for key, what in FIGURES:
        target = results["targets"].get(key, "")
        met = results["met"].get(key, "") if key in results["met"] else ""
        met_text = _number(met) if met != "" else ""
        lines.append(f"| `{key}` | {_number(results.get(key))} | {target} | {met_text} | {what} |")
    return "\n".join(lines)


def seconds_table(results: dict[str, Any]) -> str:
    lines = ["| seconds | |", "|---|---|"]
    for key, value in results["seconds"].items():
        if key == "estate_ready":
            continue
        lines.append(f"| {key} | {_number(value)} |")
    return "\n".join(lines)


def steps_table(results: dict[str, Any]) -> str:
    runs = [
        (label, results["runs"][label])
        for label in ("full", "noop_rerun", "one_percent_rerun")
        if label in results["runs"]
    ]
    header = "| step | " + " | ".join(label for label, _ in runs) + " |"
    lines = [header, "|---|" + "---|" * len(runs)]
    for key, name in STEPS:
        cells = [_number(run.get("steps", {}).get(key)) for _, run in runs]
        lines.append(f"| {name} (`{key}`) | " + " | ".join(cells) + " |")
    totals = []
    for _, run in runs:
        steps = sum(run.get("steps", {}).values())
        totals.append(_number(run["seconds"] - steps) if run.get("steps") else "n/a")
    lines.append("| outside the steps (start, imports, summary) | " + " | ".join(totals) + " |")
    lines.append(
        "| **whole process** | " + " | ".join(_number(r["seconds"]) for _, r in runs) + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    results = json.loads(Path(argv[0] if argv else "bench/results/latest.json").read_text())
    machine = results["machine"]
    print(
        f"Scale {results['scale']:g}, {results['generated_at']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB, load average {machine['load_average_1_5_15']} at the "
        f"start and {machine.get('load_average_at_end')} at the end.\n"
    )
    print(figures_table(results))
    print()
    print(seconds_table(results))
    print()
    print(steps_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
