"""Typed settings read once from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/khuyenhoc.db"


class SettingsError(Exception):
    """A configuration value is missing or wrong; the message names the variable."""


class Settings(BaseSettings):
    """All configuration of the bot; see README for each variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    content_dir: Path = Path("content")
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "WARNING"

    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    admin_ids: Annotated[tuple[str, ...], NoDecode] = ()

    broadcast_rate: float = Field(default=25.0, gt=0, le=1000)
    broadcast_concurrency: int = Field(default=1, ge=1, le=32)
    broadcast_progress_seconds: float = Field(default=5.0, ge=0)
    broadcast_max_attempts: int = Field(default=5, ge=1, le=50)
    broadcast_retry_seconds: float = Field(default=30.0, ge=0)
    broadcast_poll_seconds: float = Field(default=2.0, gt=0, le=60)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        """Accept a comma-separated list such as `telegram:123,console:local`."""
        if isinstance(value, str):
            items = [part.strip() for part in value.split(",") if part.strip()]
            return tuple(item if ":" in item else f"telegram:{item}" for item in items)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        """Reject a time zone name that the tz database does not know."""
        ZoneInfo(value)
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _telegram_secret_charset(cls, value: str | None) -> str | None:
        """Telegram allows 1-256 characters from A-Z, a-z, 0-9, _ and -."""
        if value is not None:
            allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
            if not 1 <= len(value) <= 256 or not set(value) <= allowed:
                raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ or -")
        return value

    @property
    def tz(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one message naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]).upper() if item["loc"] else "?"
            problems.append(f"{name}: {item['msg']}")
        raise SettingsError("Invalid configuration: " + "; ".join(problems)) from error
