"""Settings from the environment (prefix HOCSO_); secrets never appear in repr or logs."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOCSO_", extra="ignore")

    db_path: Path = Path("data/hocso.db")
    content_dir: Path | None = None
    scenario_dir: Path | None = None
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "INFO"

    telegram_token: SecretStr | None = None
    telegram_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    zalo_bot_token: SecretStr | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    # Where the webhook server listens (behind a TLS proxy); each channel's path is its URL's path.
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080

    admin_ids: str = Field("", description="comma-separated identities, e.g. telegram:1,sim:admin")

    def channels_configured(self) -> list[str]:
        found = []
        if self.telegram_token:
            found.append("telegram")
        if self.zalo_bot_token:
            found.append("zalo")
        return found
