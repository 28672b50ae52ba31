"""`python -m bot simulate` survives any line and always writes valid UTF-8 JSON: one error
object per bad line, and the run goes on."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def simulate_bytes(data: bytes) -> tuple[list[dict], str]:
    env = {**os.environ, "HOCSO_LOG_LEVEL": "WARNING", "PYTHONIOENCODING": "ascii"}
    out = subprocess.run(
        [sys.executable, "-m", "bot", "simulate"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=True,
    )
    lines = [json.loads(line.decode("utf-8")) for line in out.stdout.splitlines()]
    return lines, out.stderr.decode("utf-8", "replace")


def test_hostile_lines_each_get_an_error_and_the_run_goes_on():
    hello = b'{"user": "u1", "text": "xin ch\\u00e0o"}\n'
    bad = [
        b"[" * 100_000 + b"\n",  # nested too deeply for any parser
        b'{"a":' * 50_000 + b"\n",
        b'{"user": "u1", "text": "\\ud800"}\n',  # a lone surrogate
        b'{"user": "u1", "\\udc00": 1}\n',  # in a key too
        b"\xff\xfe\x00 raw bytes \xc3\x28\n",  # not UTF-8
        b'{"user": "u1", "text": "' + b"a" * 3_000_000 + b'"}\n',  # a huge line
        b"[1, 2]\n",
        b'{"user": "u1", "button": 5}\n',
        b'{"advance_seconds": 1e999}\n',
        b'{"advance_seconds": NaN}\n',
        b"\x00\n",
    ]
    lines, stderr = simulate_bytes(b"".join(x + hello for x in bad))
    assert "Traceback" not in stderr, stderr[-2000:]
    done = [o["turn_done"] for o in lines if "turn_done" in o]
    assert done == list(range(1, 2 * len(bad) + 1))
    errors = [o["error"] for o in lines if "error" in o]
    assert len(errors) == len(bad)
    assert all(e.startswith(f"dòng {2 * i + 1}:") for i, e in enumerate(errors)), errors
    assert all(len(e) < 300 for e in errors)
    answered = [o for o in lines if o.get("to") == "u1"]
    assert len(answered) >= len(bad)  # every good line between the bad ones was answered
