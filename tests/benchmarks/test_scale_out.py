"""The scale-out benchmark's quick mode: one run, its SQLite rows always, its PostgreSQL rows
where HOCSO_TEST_DATABASE_URL names a server (else that half is skipped, and says why).
On a shared 2-core machine the ratios say little, so they are only printed; what is asserted
is that every row ran and its checks (0 lost, 0 duplicated, per-chat order) passed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKS = "0 lost, 0 duplicated; per-chat order kept; stored once each, all done"


@pytest.fixture(scope="module")
def quick_run() -> str:
    out = subprocess.run(
        [sys.executable, "benchmarks/scale_out.py", "--quick"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def _row(out: str, name: str) -> list[float]:
    line = next(line for line in out.splitlines() if line.startswith(name))
    return [float(x) for x in re.findall(r"\d+\.\d+", line)]


def test_sqlite_rows(quick_run):
    rate = _row(quick_run, "SQLite, one process")[0]
    assert rate > 0
    assert f"SQLite, one process: 200 updates; {CHECKS}" in quick_run
    assert re.search(r"  SQLite +[\d.]+ ms", quick_run)  # the province report on SQLite


def test_postgresql_rows(quick_run):
    if not os.environ.get("HOCSO_TEST_DATABASE_URL"):
        assert "PostgreSQL rows skipped: HOCSO_TEST_DATABASE_URL is not set" in quick_run
        pytest.skip("set HOCSO_TEST_DATABASE_URL to run the benchmark's PostgreSQL rows")
    for name in ("PostgreSQL, web + 1 worker", "PostgreSQL, web + 2 workers"):
        assert _row(quick_run, name)[0] > 0
        assert f"{name}: 200 updates; {CHECKS}" in quick_run
    assert "every configuration gave every chat the same conversation" in quick_run
    assert "PostgreSQL / SQLite" in quick_run
    assert "the same JSON report on both" in quick_run
