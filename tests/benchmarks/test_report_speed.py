"""The report benchmark's quick mode: a small province built through the production triggers,
the report, the plain GROUP BY baseline and the naive recomputation all timed and compared.
Too small to judge the ratios (the full run, 1,000,000 learners, does), so here only that it
runs, prints its figures and that all three agree."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_report_speed_quick():
    out = subprocess.run(
        [sys.executable, "benchmarks/report_speed.py", "--learners", "1500", "--communes", "4",
         "--repeat", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    print(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"GROUP BY [\d.,]+x slower, naive [\d,]+x slower", out.stdout), out.stdout
    assert "GROUP BY and report agree on every figure" in out.stdout
    assert "report and recomputation agree on every figure" in out.stdout
