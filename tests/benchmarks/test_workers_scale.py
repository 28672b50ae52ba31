"""The several-workers benchmark's quick mode: it runs, every person is answered, and it prints
its figures. On a shared 2-core machine the ratio says little, so it is only printed here."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_workers_scale_quick():
    out = subprocess.run(
        [sys.executable, "benchmarks/workers_scale.py", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    rates = re.findall(r"([\d.]+) updates/s", out.stdout)
    assert len(rates) == 2 and all(float(r) > 0 for r in rates), out.stdout
