"""The outbox benchmark's quick mode: 150 recipients at 0 and at 150 ms round trip, the fake
Bot API in its own process enforcing 30 messages/s. A few seconds are too few to judge the
95% goal on a busy machine (the full run does), so here: it runs, prints its figures for both
round trips, and nobody is lost or messaged twice."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_outbox_throughput_quick():
    out = subprocess.run(
        [sys.executable, "benchmarks/outbox_throughput.py", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    print(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    runs = re.findall(r"rtt +(\d+) ms: ([\d.]+) msg/s .*lost (\d+), duplicated (\d+)", out.stdout)
    assert [r[0] for r in runs] == ["0", "150"], out.stdout
    for _, rate, lost, duplicated in runs:
        assert (lost, duplicated) == ("0", "0")
        assert float(rate) > 10  # paced, not stuck behind retry_after
    assert "not 'sent' 0 (outbox)" in out.stdout
