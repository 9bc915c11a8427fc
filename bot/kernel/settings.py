"""Settings, read from the environment and ``.env`` (every one is documented in .env.example)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.security import keys

__all__ = ["Settings", "async_driver_url"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./crossfade.db"


def async_driver_url(value: str) -> str:
    """Accept the URLs people paste from hosting dashboards and pick the async driver (the
    same fix-up for ``DATABASE_URL`` and ``--database``)."""
    value = value.strip()
    if value.startswith("postgres://"):
        value = "postgresql://" + value.removeprefix("postgres://")
    if value.startswith("postgresql://"):
        value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
    if value.startswith("sqlite:///"):
        value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
    return value


class Settings(BaseSettings):
    """Crossfade's configuration. Nothing here opens a connection."""

    # Empty values mean "unset": `cp .env.example .env` leaves many `NAME=` lines blank.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        env_ignore_empty=True,
    )

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    platforms: str = Field(
        "",
        alias="CROSSFADE_PLATFORMS",
        description="comma list of slack,discord,console; empty = every platform with credentials",
    )
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    log_format: Literal["text", "json"] = Field("text", alias="LOG_FORMAT")
    # The server key(s), comma-separated, newest first (`crossfade keygen`); see bot.security.
    secret_key: str = Field("", alias="CROSSFADE_SECRET_KEY", repr=False)

    # Slack
    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN")
    slack_app_token: str = Field("", alias="SLACK_APP_TOKEN")
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET")
    slack_client_id: str = Field("", alias="SLACK_CLIENT_ID")
    slack_client_secret: str = Field("", alias="SLACK_CLIENT_SECRET")
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")

    # Discord
    discord_token: str = Field("", alias="DISCORD_TOKEN")
    discord_api_url: str = Field("https://discord.com/api/v10", alias="DISCORD_API_URL")
    discord_gateway_url: str = Field("wss://gateway.discord.gg/", alias="DISCORD_GATEWAY_URL")
    discord_shard_ids: str = Field("", alias="DISCORD_SHARD_IDS")
    discord_shard_count: int | None = Field(None, alias="DISCORD_SHARD_COUNT")

    # HTTP (Slack HTTP mode, health and metrics)
    port: int = Field(3000, alias="PORT")
    metrics_enabled: bool = Field(True, alias="METRICS_ENABLED")
    # /metrics on a port of its own (not published; for the scraper only) and/or a token
    metrics_port: int | None = Field(None, alias="METRICS_PORT", ge=0, le=65535)
    metrics_host: str = Field("0.0.0.0", alias="METRICS_HOST")
    metrics_token: str = Field("", alias="METRICS_TOKEN")

    # Scheduling and delivery
    tick_seconds: float = Field(5.0, alias="CROSSFADE_TICK_SECONDS", gt=0)
    misfire_grace_minutes: int = Field(15, alias="CROSSFADE_MISFIRE_GRACE_MINUTES", ge=1)
    instance_id: str = Field("", alias="CROSSFADE_INSTANCE_ID")
    # Delivery rates per lane (the sender aims at 90 % of them): Slack posts per second per
    # workspace (chat.postMessage allows several hundred a minute per workspace and about one
    # a second per channel); Discord requests per second per bot (its global limit is 50).
    slack_rate: float = Field(5.0, alias="CROSSFADE_SLACK_RATE", gt=0, le=50)
    discord_rate: float = Field(50.0, alias="CROSSFADE_DISCORD_RATE", gt=0, le=50)

    # Team defaults (each team can change its own with /crossfade settings)
    default_timezone: str = Field("UTC", alias="CROSSFADE_DEFAULT_TIMEZONE")
    content_dir: str = Field("", alias="CROSSFADE_CONTENT_DIR")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return async_driver_url(value)

    @property
    def enabled_platforms(self) -> list[str]:
        """Which adapters to run: explicit list, else every platform with credentials, else
        the console."""
        if self.platforms.strip():
            return [p.strip().lower() for p in self.platforms.split(",") if p.strip()]
        found = []
        if self.slack_bot_token or (self.slack_client_id and self.slack_client_secret):
            found.append("slack")
        if self.discord_token:
            found.append("discord")
        return found or ["console"]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _key_source() -> tuple[str, str]:
    settings = Settings()
    return settings.secret_key, settings.database_url


# Server keys needed before any bot is built (a migration, a script) come from the settings.
keys.load_from(_key_source)
