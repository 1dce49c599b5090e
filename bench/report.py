"""Figures of a benchmark for the table of bench/README.md.

Every figure is a measurement next to its baseline, measured in the same run (this machine is
shared and noisy: a ratio means something, a time alone does not). A benchmark builds its
figures with `figure()` and hands them to `emit()`, which writes them as JSON into the folder
named by BENCH_RESULTS (set by bench/run_all.py) and does nothing when it is not set, so that
each benchmark still runs alone and only prints.
"""

import json
import os
from pathlib import Path


def figure(
    name: str, value: float, unit: str, baseline: str = "", baseline_value: float | None = None
) -> dict:
    """One row of the table: `value` in `unit`, and its baseline's name and value (same unit).
    For rates (higher is better) and times (lower is better) alike the ratio is value/baseline."""
    ratio = value / baseline_value if baseline_value else None
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "baseline_value": baseline_value,
        "ratio": ratio,
    }


def emit(benchmark: str, figures: list[dict], *, setup: str = "") -> None:
    folder = os.environ.get("BENCH_RESULTS")
    if not folder:
        return
    path = Path(folder) / f"{benchmark}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"benchmark": benchmark, "setup": setup, "figures": figures}, indent=2))
