"""Local stand-ins for the Telegram Bot API and the Zalo Bot Platform, for tests and benchmarks.

Each is a real HTTP server on 127.0.0.1 (random port) that the real client stack talks to:
it queues injected updates for getUpdates, records every call, and fails on demand.
"""

from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

__all__ = ["FakeTelegram", "FakeZalo"]
