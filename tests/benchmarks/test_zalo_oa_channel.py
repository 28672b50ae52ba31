"""The Zalo OA benchmark in small: a few followers through `python -m bot run`, and an
announcement to 300 followers; every send named the person's message (free replies), nobody was
lost or messaged twice."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, "benchmarks/zalo_oa_channel.py", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    print(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_latency_small():
    out = run("latency", "--users", "3", "--steps", "4")
    assert "events 12 in" in out
    assert re.search(r"first reply +median \d+ ms", out)


def test_throughput_small():
    out = run("throughput", "--users", "300", "--rate", "100", "--bulk-rate", "80")
    assert "lost            0   duplicated 0" in out
    assert "0 lost, 0 duplicated: met" in out
    assert "proactive       0" in out
