"""The simulator's JSON-lines contract, through the real command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def simulate(lines: list, *args: str) -> list[dict]:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    env = {**os.environ, "HOCSO_LOG_LEVEL": "WARNING"}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "simulate", *args],
        input=text + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_turns_errors_and_continuing_on_the_same_database(tmp_path):
    db = str(tmp_path / "s.db")
    first = simulate(
        [
            {"user": "u1", "command": "start"},
            "not json",
            {"user": "u1", "button": "Đồng ý"},
            {"user": "u1", "sticker": "x"},
            {"advance_seconds": 3600},
            {"user": "u1", "button": "addr:bà"},
        ],
        "--db",
        db,
        "--now",
        "2026-11-23T08:00:00+07:00",
    )
    dones = [o["turn_done"] for o in first if "turn_done" in o]
    assert dones == [1, 2, 3, 4, 5, 6]
    errors = [o for o in first if "error" in o]
    assert len(errors) == 2 and errors[0]["error"].startswith("dòng 2")
    replies = [o for o in first if "to" in o]
    assert all(set(o) == {"to", "text", "buttons", "files"} for o in replies)
    assert replies[-1]["text"].startswith("Dạ. Cháu gọi bà")

    second = simulate([{"user": "u1", "text": "Lan"}], "--db", db)
    assert second[0]["text"].startswith("Bà sinh năm nào")
    assert second[-1] == {"turn_done": 1}


def test_without_db_each_run_starts_fresh():
    for _ in range(2):
        out = simulate([{"user": "u1", "text": "xin chào"}])
        assert out[-2]["buttons"][0]["label"] == "Đồng ý"
