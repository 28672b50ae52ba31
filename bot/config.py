"""Settings from the environment (prefix HOCSO_); secrets never appear in repr or logs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from bot.core.quiet import QuietHours
    from bot.core.reach import OaRules


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOCSO_", extra="ignore")

    db_path: Path = Path("data/hocso.db")
    # postgresql://user:pass@host/db selects PostgreSQL (storage/pg.py) instead of the SQLite
    # file at db_path (still where media files are kept); a secret, since it may hold a password
    database_url: SecretStr | None = None
    content_dir: Path | None = None
    scenario_dir: Path | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "INFO"
    # Libraries (httpx, telegram, apscheduler, ...) whose logs follow log_level; by default they
    # are kept at WARNING. "all" for every one. Secrets are redacted either way (bot/logs.py).
    log_libraries: str = ""

    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    zalo_bot_token: SecretStr | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    # Zalo Official Account (Open API v3). The OA secret key signs webhooks; the app secret
    # (defaults to the same value when unset) renews tokens. The first tokens come from the
    # environment and are kept, encrypted with the token key (a Fernet key), in the database.
    zalo_oa_app_id: str | None = None
    zalo_oa_secret: SecretStr | None = None
    zalo_oa_app_secret: SecretStr | None = None
    zalo_oa_access_token: SecretStr | None = None
    zalo_oa_refresh_token: SecretStr | None = None
    zalo_oa_token_key: SecretStr | None = None
    zalo_oa_webhook_url: str | None = None
    zalo_oa_base_url: str = "https://openapi.zalo.me"
    zalo_oa_oauth_url: str = "https://oauth.zaloapp.com/v4/oa/access_token"
    # Zalo's commercial rules, as settings: free consultation messages within a window after
    # the person's last message; beyond it the OA's package quota, used only if allowed here.
    zalo_oa_window_hours: float = Field(48.0, gt=0)
    zalo_oa_window_messages: int = Field(8, ge=0)
    zalo_oa_use_package_quota: bool = False
    zalo_oa_reply_message_id: bool = True  # name the person's message a reply answers
    zalo_oa_bulk_rate: float = Field(10.0, gt=0)
    zalo_oa_signature_max_age: float = Field(300.0, gt=0)  # seconds a signed webhook stays valid
    zalo_oa_renew_before: float = Field(3600.0, ge=0)  # renew this many seconds before expiry
    zalo_oa_wait_recheck: float = Field(3600.0, gt=0)  # waiting outbox rows are looked at again
    # Where the webhook server listens (behind a TLS proxy); each channel's path is its URL's path.
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    # Open connections the webhook server keeps at most (also bounded by the open-file limit).
    webhook_max_connections: int = Field(2048, ge=16)
    # Bulk messages through the outbox (bot/delivery.py), in messages per second per bot token
    # (shared by every worker process): a little below Telegram's ~30/s, the margin absorbing
    # network jitter (28.8: measured in docs/pacing.md), 1/s per chat; a cautious pace for Zalo.
    telegram_bulk_rate: float = Field(28.8, gt=0)
    telegram_chat_rate: float = Field(1.0, gt=0)
    zalo_bulk_rate: float = Field(10.0, gt=0)
    # Non-urgent bulk messages (announcements, reminders) wait through these hours, Vietnam
    # time: "21:00-07:00" (the default), any "HH:MM-HH:MM", or "off" (bot/core/quiet.py).
    quiet_hours: str = "21:00-07:00"

    # Several processes on one database (`python -m bot run --role web|worker|all`, bot/workers.py):
    # what a worker holds (an inbox row, outbox rows) is its own for `lease_seconds`, renewed
    # while it works; a worker that dies stops renewing and its rows go to another after that.
    # Workers look for new inbox rows every `worker_poll` seconds; due work (reminders,
    # scheduled announcements, reports) is looked for every `run_due_seconds`.
    lease_seconds: float = Field(60.0, ge=2)
    worker_poll: float = Field(0.2, gt=0)
    worker_batch: int = Field(64, ge=1)
    run_due_seconds: float = Field(30.0, gt=0)

    # The web pages for leaders and staff (bot/web/): their own port beside the webhook server
    # (see README), the public address login links point to (https behind a TLS proxy makes
    # the session cookie Secure), the key signing session cookies (random at each start if
    # unset: sessions then end at a restart), and minutes of inactivity ending a session.
    web_host: str = "127.0.0.1"
    web_port: int = 8081
    web_url: str | None = None
    web_secret: SecretStr | None = None
    web_idle_minutes: int = Field(30, ge=1)

    admin_ids: str = Field("", description="comma-separated identities, e.g. telegram:1,sim:admin")
    # Where a class code's QR code leads: https://t.me/<username>?start=HS-XXXXXX, and the
    # Official Account's follow link printed beside it when Zalo OA is set up.
    telegram_bot_username: str = Field("HocSoBot", pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
    zalo_oa_join_link: str | None = Field(None, pattern=r"^https://\S+$")

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours_parse(cls, value: str) -> str:
        from bot.core.quiet import QuietHours

        QuietHours.parse(value)  # a ValueError names what is wrong
        return value

    def quiet(self) -> QuietHours:
        from bot.core.quiet import QuietHours

        return QuietHours.parse(self.quiet_hours)

    def admins(self) -> frozenset[str]:
        return frozenset(x.strip() for x in self.admin_ids.split(",") if x.strip())

    def web_base_url(self) -> str:
        return (self.web_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    def join_links(self) -> dict[str, str]:
        """Deep-link templates per channel for class codes ({code} is filled in)."""
        links = {"telegram": f"https://t.me/{self.telegram_bot_username}?start={{code}}"}
        if self.zalo_oa_join_link:
            links["zalo_oa"] = self.zalo_oa_join_link
        return links

    def oa_rules(self) -> OaRules:
        """Zalo OA's window and quota rules, as the core counts an announcement's reach."""
        from bot.core.reach import OaRules

        return OaRules(
            dt.timedelta(hours=self.zalo_oa_window_hours),
            self.zalo_oa_window_messages,
            self.zalo_oa_use_package_quota,
        )

    def channels_configured(self) -> list[str]:
        found = []
        if self.telegram_token:
            found.append("telegram")
        if self.zalo_bot_token:
            found.append("zalo")
        if self.zalo_oa_app_id:
            found.append("zalo_oa")
        return found

    def database(self, override: Path | str | None = None) -> Path | str:
        """What `Database.open` opens: `override` (--db: a file or a URL), else
        HOCSO_DATABASE_URL, else the SQLite file at db_path."""
        if override:
            return override
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.db_path
