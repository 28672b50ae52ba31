"""`python -m bot run` as a real process: environment, start, waiting for a log line, stop."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCSO_")}
    env.update(PYTHONPATH=str(ROOT), HOCSO_DB_PATH=str(tmp_path / "run.db"), HOCSO_LOG_LEVEL="INFO")
    env.setdefault("HOCSO_WEB_PORT", "0")  # no web pages unless a test asks for them
    env.update(extra)
    return env


async def start_bot(
    env: dict[str, str], *args: str
) -> tuple[asyncio.subprocess.Process, list[str]]:
    """`python -m bot run [args]`; its log lines are collected in the list returned."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    lines: list[str] = []

    async def read() -> None:
        async for raw in proc.stderr:
            lines.append(raw.decode("utf-8", "replace").rstrip())

    asyncio.get_running_loop().create_task(read())
    return proc, lines


async def wait_line(lines: list[str], needle: str, proc, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(needle in line for line in lines):
        if proc.returncode is not None or time.monotonic() > deadline:
            raise AssertionError(f"no {needle!r} in log:\n" + "\n".join(lines))
        await asyncio.sleep(0.05)


async def stop_bot(proc, lines: list[str], sig: int) -> None:
    proc.send_signal(sig)
    assert await asyncio.wait_for(proc.wait(), 20) == 0, "\n".join(lines)
    await asyncio.sleep(0.05)
    log = "\n".join(lines)
    assert "stopping: finishing replies in flight" in log
    assert "stopped; database closed" in log
    assert "Traceback" not in log, log


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
