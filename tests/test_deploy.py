"""The deployment files, checked without Docker (no engine on the test machines; deploy/smoke.sh
builds and runs them by hand where one is): compose.yaml runs PostgreSQL, one web process and
two workers, each with a health check that asks the database; the image runs as a non-root
user, exposes the webhook and pages ports, checks /healthz and installs exactly the locked,
hashed versions."""

from __future__ import annotations

import json
import re
import select
import signal
import subprocess
import sys
import tomllib
from importlib.metadata import version as installed
from pathlib import Path

import httpx
import pytest
import yaml
from packaging.requirements import Requirement

from bot.__main__ import main
from tests.channels.run_helpers import free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lock() -> dict[str, str]:
    """name -> pinned version, from requirements.lock."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {
        m.group(1).lower().replace("_", "-"): m.group(2)
        for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==([^\s\\]+)", text, re.M)
    }


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _default(value: str) -> str:
    """What compose makes of `${VAR:-default}` when VAR is unset (the base images' mirrors)."""
    m = re.fullmatch(r"\$\{(\w+):-([^}]*)\}", value)
    return m.group(2) if m else value


def test_compose_runs_postgresql_one_web_and_two_workers(compose):
    services = compose["services"]
    assert set(services) == {"db", "web", "worker"}
    assert _default(services["db"]["image"]).startswith("postgres:")
    assert services["web"]["command"] == ["hocso", "run", "--role", "web"]
    assert services["worker"]["command"] == ["hocso", "run", "--role", "worker"]
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("web", "worker"):
        s = services[name]
        assert s["depends_on"]["db"]["condition"] == "service_healthy"
        assert s["environment"]["HOCSO_DATABASE_URL"].startswith("postgresql://hocso:")
        assert "${POSTGRES_PASSWORD:?" in s["environment"]["HOCSO_DATABASE_URL"]  # no default
        assert "media:/data" in s["volumes"]  # files the web process received, for the workers
        assert s["restart"] == "unless-stopped"


def test_the_image_is_built_once_for_every_role(compose):
    """One `build` (web's) for the one image: Compose's classic builder (no BuildKit) builds
    once per service that has one, the same image twice side by side."""
    services = compose["services"]
    assert [name for name, s in services.items() if "build" in s] == ["web"]
    assert services["web"]["image"] == services["worker"]["image"] == "hocso:latest"


def test_every_service_has_a_health_check_that_asks_the_database(compose):
    services = compose["services"]
    for name, s in services.items():
        check = s["healthcheck"]
        assert check["test"] and check["interval"] and check["retries"] >= 3, name
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["web"]["healthcheck"]["test"] == ["CMD", "hocso", "health"]
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "hocso", "health", "--db"]


def test_volumes_keep_the_data_and_ports_stay_behind_the_tls_proxy(compose):
    assert set(compose["volumes"]) == {"pgdata", "media"}
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert "ports" not in compose["services"]["db"]  # only the stack reaches the database
    assert "ports" not in compose["services"]["worker"]
    ports = compose["services"]["web"]["ports"]
    assert ports == ["127.0.0.1:8080:8080", "127.0.0.1:8081:8081"]


def test_the_roles_compose_starts_are_commands_of_the_bot(compose, capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    usage = capsys.readouterr().out
    if "--role" not in usage:
        pytest.skip("`run --role` comes with the several-workers change (bot/workers.py)")
    for name in ("web", "worker"):
        _, _, flag, role = compose["services"][name]["command"]
        assert flag == "--role" and role in usage


def test_the_base_images_can_come_through_a_mirror(compose):
    """Operators without Docker Hub name the same images on their registry mirror; unset, the
    defaults are the official ones (deploy/smoke.sh sets them to its local stand-ins)."""
    assert compose["services"]["db"]["image"] == "${HOCSO_POSTGRES_IMAGE:-postgres:16-alpine}"
    args = compose["services"]["web"]["build"]["args"]
    assert args["BASE"] == "${HOCSO_PYTHON_IMAGE:-python:3.11-slim}"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG BASE=python:3.11-slim\nFROM ${BASE}\n" in dockerfile


def test_the_env_example_names_what_compose_needs(compose):
    """`cp .env.example .env` (docs/deploy.md) gives every variable compose.yaml requires and
    the settings the web process cannot start without."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.M))
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{(\w+)", text))
    assert used <= names, used - names
    assert {"POSTGRES_PASSWORD", "HOCSO_TELEGRAM_TOKEN", "HOCSO_TELEGRAM_WEBHOOK_URL",
            "HOCSO_TELEGRAM_WEBHOOK_SECRET", "HOCSO_WEB_URL", "HOCSO_WEB_SECRET"} <= names  # fmt: skip
    assert "cp .env.example .env" in text
    assert "cp .env.example .env" in (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def test_the_image_runs_as_a_user_exposes_its_ports_and_checks_its_health():
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    last_user = max(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert not any(line.startswith("RUN ") for line in lines[last_user:])  # nothing as root after
    assert "EXPOSE 8080 8081" in lines
    (check,) = [line for line in lines if line.startswith("HEALTHCHECK ")]
    assert check.endswith('CMD ["hocso", "health"]')
    assert lines[-1] == 'CMD ["hocso", "run"]'
    install = [line for line in lines if "pip install" in line]
    assert "--require-hashes -r requirements.lock" in install[0]
    assert "--no-deps" in install[1]  # the project itself adds nothing unlocked


def test_the_lock_pins_every_dependency_with_hashes(lock):
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [b for b in blocks if re.match(r"^[A-Za-z0-9_.\-]+==", b)]
    assert pinned and all("--hash=sha256:" in b for b in pinned)
    assert "setuptools" in lock  # the build backend too: the image builds without resolving
    for spec in _pyproject()["project"]["dependencies"]:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert name in lock, f"{name} missing from requirements.lock"
        assert req.specifier.contains(lock[name], prereleases=True), (spec, lock[name])


def test_what_changes_meaning_when_it_moves_is_pinned(lock):
    deps = {
        Requirement(s).name.lower(): Requirement(s) for s in _pyproject()["project"]["dependencies"]
    }
    # the official unit codes: exactly one release, the one installed and locked
    (pin,) = deps["vietnam-provinces"].specifier
    assert pin.operator == "=="
    assert lock["vietnam-provinces"] == pin.version == installed("vietnam-provinces")
    # the models and rules whose results would move with a new major: capped below it
    for name in ("fsrs", "scikit-learn", "rapidfuzz", "python-telegram-bot", "apscheduler",
                 "pydantic"):  # fmt: skip
        assert any(s.operator == "<" for s in deps[name].specifier), name


def test_the_fake_bot_api_serves_beside_the_stack_until_stopped():
    """deploy/smoke.sh runs the fake Telegram as a service of the stack: on the address given,
    a line per call as it is made (what `docker compose logs` shows), with nothing on its
    standard input, until SIGTERM (`docker compose stop`)."""
    port = free_port()
    cmd = [sys.executable, "-m", "tests.fakes.serve_telegram", "--host", "127.0.0.1",
           "--port", str(port), "--live", "--until-signal"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            text=True, encoding="utf-8")  # fmt: skip

    def line() -> dict:
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready, "the fake printed nothing in 20 s"
        return json.loads(proc.stdout.readline())

    try:
        served = line()
        assert served == {"url": f"http://127.0.0.1:{port}/bot", "token": "123:TEST"}
        url = f"{served['url']}{served['token']}/sendMessage"
        answer = httpx.post(url, data={"chat_id": 4242, "text": "Xin chào"}, timeout=10)
        assert answer.json()["ok"]
        call = line()
        assert (call["method"], call["chat_id"], call["status"]) == ("sendMessage", 4242, 200)
        assert call["text"] == "Xin chào"
        assert proc.poll() is None  # standard input at its end does not stop it
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()
        proc.wait()
