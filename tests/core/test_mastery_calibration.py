"""The calibration benchmark's quick mode: a small population of simulated learners through
the real engine on the real curriculum (the full run is `python benchmarks/mastery_calibration.py`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "mastery_calibration.py"


def _bench():
    spec = importlib.util.spec_from_file_location("mastery_calibration", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def test_quick_calibration_meets_the_engine_goals():
    bench = _bench()
    results = await bench.run(per_population=2, review_days=8)
    table = results.table()
    print(table)
    rows = {name: (value, ok) for name, value, _, ok in results.rows}
    # What the engine decides (guessers by position, knowers, forgetters) and what the content
    # decides: no competency may be mastered by always pressing the longest (or the shortest)
    # option; `content check` holds each competency's longest-key share at 40% at most.
    for name in ("random", "always 1", "always 2", "longest", "shortest"):
        assert rows[f"guess '{name}': competencies mastered at the end"][1], table
        assert rows[f"guess '{name}': areas mastered at the end"][1], table
    # Two knowers give about 50 competencies: their median may sit one above the full run's.
    median = rows["know (p=0.9): answers on a competency until mastered"][0]
    assert float(median.split()[1].rstrip(",")) <= bench.GOAL_KNOWER_MEDIAN + 1, table
    forget = next(k for k in rows if k.startswith("forget after"))
    assert rows[forget][1], table
