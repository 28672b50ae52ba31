"""Hostile lines through the simulator (the code path of `python -m bot simulate`): prints
lines per second, what was sent, and every problem found (a crash, a traceback, a failed turn,
a reply over 4,096 characters, invalid UTF-8 or JSON, a database integrity problem).

    python benchmarks/fuzz.py [--lines 100000] [--seed 1] [--real-reports]

Exits non-zero if anything was found. The CI runs 20,000 lines (tests/fuzz/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.hostile import Harness, Lines


async def main(n: int, seed: int, real_reports: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="hocso-fuzz-") as tmp:
        picture = Path(tmp) / "anh.jpg"
        picture.write_bytes(b"\xff\xd8\xff\xe0" + bytes(2000))
        harness = await Harness(Path(tmp) / "fuzz.db", real_reports=real_reports).open()
        lines = Lines(seed, attachment_path=str(picture))
        try:
            await harness.prologue(lines)
            seconds = await harness.run(lines, n)
            await harness.check_database()
        finally:
            await harness.close()
    print(f"{n} lines in {seconds:.1f} s: {n / seconds:.0f} lines/s (seed {seed})")
    print("sent:", ", ".join(f"{k} {v}" for k, v in lines.kinds.most_common()))
    print("seen:", ", ".join(f"{k} {v}" for k, v in harness.stats.items()))
    print("screens people ended on:", dict(harness.states.most_common(12)))
    if harness.problems:
        print("PROBLEMS\n" + str(harness.problems))
        return 1
    print("problems: none (no crash, traceback, failed turn, reply over 4,096 characters,"
          " invalid UTF-8; integrity_check ok, foreign_key_check empty)")  # fmt: skip
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--real-reports", action="store_true", help="render report files")
    args = parser.parse_args()
    # Problems are collected by the harness and printed at the end, not as they happen.
    logging.basicConfig(level=logging.ERROR, handlers=[logging.NullHandler()])
    sys.exit(asyncio.run(main(args.lines, args.seed, args.real_reports)))
