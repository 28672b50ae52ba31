"""The inbox benchmark's quick mode: it runs, prints its figures and meets its goal (0.67x)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_inbox_cost_quick():
    out = subprocess.run(
        [sys.executable, "benchmarks/inbox_cost.py", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    print(out.stdout)
    assert "ratio:" in out.stdout, out.stderr
    assert out.returncode == 0, out.stdout + out.stderr
