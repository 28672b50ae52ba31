"""20,000 hostile lines through the simulator with a fixed seed: no crash, no traceback, no
failed turn, no reply over 4,096 characters, only valid UTF-8 JSON out, and a database that
passes `PRAGMA integrity_check` and `PRAGMA foreign_key_check` at the end.
(`python benchmarks/fuzz.py --lines 100000 --seed N` runs more, with any seed.)"""

from __future__ import annotations

from tests.fuzz.hostile import Harness, Lines

SEED = 20261123
LINES = 20_000


async def test_twenty_thousand_hostile_lines(tmp_path):
    picture = tmp_path / "anh.jpg"
    picture.write_bytes(b"\xff\xd8\xff\xe0" + bytes(2000))
    harness = await Harness(tmp_path / "fuzz.db").open()
    lines = Lines(SEED, attachment_path=str(picture))
    try:
        await harness.prologue(lines)
        seconds = await harness.run(lines, LINES)
        await harness.check_database()
    finally:
        await harness.close()
    print(
        f"\n{LINES} lines in {seconds:.1f} s ({LINES / seconds:.0f} lines/s);"
        f" {dict(lines.kinds)}; {dict(harness.stats)}"
    )
    assert not harness.problems, str(harness.problems)
    assert harness.stats["lines"] >= LINES
    assert harness.stats["rows in answers"] > 0  # it got past sign-up into lessons
