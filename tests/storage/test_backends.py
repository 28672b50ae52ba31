"""The contract suite itself: backends are offered or skipped with a reason, and every public
repository method is called by some contract test."""

from __future__ import annotations

import inspect
from pathlib import Path

from storage.store import Store
from tests.storage.conftest import BACKENDS, Backend

HERE = Path(__file__).parent
NOT_CONTRACT = {"test_db.py", "test_erasure.py", "test_backends.py", "test_pg.py", "test_copy.py"}


def test_a_backend_that_needs_a_server_is_skipped_with_the_reason(monkeypatch):
    pg = Backend("postgresql", BACKENDS[0].open, Exception, BACKENDS[0].dump, "HOCSO_X_URL")
    monkeypatch.delenv("HOCSO_X_URL", raising=False)
    assert pg.skip_reason() == "postgresql storage contract: set HOCSO_X_URL to run it"
    monkeypatch.setenv("HOCSO_X_URL", "postgresql://localhost/hocso_test")
    assert pg.skip_reason() is None
    assert BACKENDS[0].name == "sqlite"  # always there: no server needed
    assert BACKENDS[0].skip_reason() is None


def test_every_public_repository_method_is_exercised():
    store = Store(None)  # the repositories only keep the connection: enough to list them
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in HERE.glob("test_*.py") if p.name not in NOT_CONTRACT
    )
    missing = [
        f"{name}.{method}"
        for name, repo in vars(store).items()
        if not name.startswith("_") and hasattr(repo, "conn")
        for method, _ in inspect.getmembers(type(repo), inspect.isfunction)
        if not method.startswith("_") and f".{method}(" not in source
    ]
    assert missing == [], f"public repository methods without a contract test here: {missing}"
