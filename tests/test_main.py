"""The `hocso` console script beside `python -m bot`: --version from the package's metadata,
and `health` (the container's HEALTHCHECK) saying whether the database answers."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from importlib.metadata import version as installed
from pathlib import Path

import pytest

from bot import health, texts
from bot.__main__ import main, version
from bot.channels.webserver import HttpServer
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
HOCSO = Path(sys.executable).parent / "hocso"


def test_the_version_is_the_package_metadata_s_and_pyproject_s():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert version() == installed("hocso") == declared["project"]["version"]


def test_hocso_is_an_installed_console_script_with_version():
    (ep,) = entry_points(group="console_scripts", name="hocso")
    assert ep.value == "bot.__main__:cli"
    assert HOCSO.exists(), "pip install -e . installs the hocso command"
    out = subprocess.run([HOCSO, "--version"], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout.strip()) == (0, f"hocso {version()}")
    out = subprocess.run([HOCSO, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "health" in out.stdout and "run" in out.stdout


def test_python_m_bot_says_the_same_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"python -m bot {version()}"


def test_health_asks_the_database_directly_for_a_worker(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOCSO_DB_PATH", str(tmp_path / "w.db"))
    assert main(["health", "--db"]) == 0
    assert capsys.readouterr().out.strip() == texts.CLI_HEALTH_OK


def test_health_reads_the_local_healthz(tmp_path, capsys):
    assert main(["health", "--url", "http://127.0.0.1:9/healthz"]) == 1  # nothing listens
    assert "không trả lời" in capsys.readouterr().out

    async def serve_and_ask() -> int:
        db = await Database.open(tmp_path / "h.db")
        server = HttpServer({health.PATH: health.webhook_route(db)}, "127.0.0.1", 0)
        await server.start()
        try:  # the command blocks: run it off the loop, as Docker runs it beside the server
            return await asyncio.to_thread(main, ["health", "--url", f"{server.url}/healthz"])
        finally:
            await server.stop()
            await db.close()

    assert asyncio.run(serve_and_ask()) == 0
