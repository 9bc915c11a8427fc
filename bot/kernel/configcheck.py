"""Start-up validation of the settings: every problem as one line an operator can act on.

``Settings`` only parses types; this module checks what the values mean (a database URL the
bot can drive, a real time zone, a log level, a port, shard ids that fit the count, the
credentials each enabled platform needs). Each problem names the variable, says what is wrong
and shows a good value, so ``crossfade`` can print them all and exit 2 without a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.kernel.settings import Settings
from bot.kernel.storage.urls import check_database_url

__all__ = [
    "ConfigErrors",
    "ConfigProblem",
    "check_database_url",
    "check_settings",
    "load_settings",
    "parse_shard_ids",
]

EXAMPLES: dict[str, str] = {
    "DATABASE_URL": "postgresql://crossfade:secret@db:5432/crossfade",
    "CROSSFADE_PLATFORMS": "slack,discord",
    "LOG_LEVEL": "INFO",
    "LOG_FORMAT": "json",
    "PORT": "3000",
    "METRICS_ENABLED": "true",
    "DISCORD_SHARD_IDS": "0-1",
    "DISCORD_SHARD_COUNT": "4",
    "CROSSFADE_DEFAULT_TIMEZONE": "Europe/Berlin",
    "CROSSFADE_TICK_SECONDS": "5",
    "CROSSFADE_MISFIRE_GRACE_MINUTES": "15",
    "SLACK_API_URL": "https://slack.com/api/",
    "DISCORD_API_URL": "https://discord.com/api/v10",
    "DISCORD_GATEWAY_URL": "wss://gateway.discord.gg/",
    "SLACK_SIGNING_SECRET": "8f14e45fceea167a5a36dedd4bea2543",
    "SLACK_BOT_TOKEN": "xoxb-…",
    "DISCORD_TOKEN": "MTA…",
    "CROSSFADE_SECRET_KEY": "<what `crossfade keygen` prints>",
}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
PLATFORMS = ("slack", "discord", "console")


@dataclass(frozen=True)
class ConfigProblem:
    """One bad setting: ``NAME: what is wrong (e.g. good value)``."""

    name: str
    problem: str

    def __str__(self) -> str:
        if self.name.startswith("--"):  # a command-line option takes the variable's values
            example = EXAMPLES.get(self.name.removeprefix("--").upper() + "_URL")
            good = f"{self.name} {example}" if example else ""
        else:
            example = EXAMPLES.get(self.name)
            good = f"{self.name}={example}" if example else ""
        return f"{self.name}: {self.problem}" + (f"; e.g. {good}" if good else "")


class ConfigErrors(Exception):
    """Raised by :func:`load_settings` with every problem found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def load_settings(*, platforms: bool = False, **overrides: Any) -> Settings:
    """Read and check the settings; raises :class:`ConfigErrors` listing every problem.
    ``platforms`` also checks the credentials of each enabled platform (for ``run``)."""
    parse_problems: list[ConfigProblem] = []
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        parse_problems = [_from_pydantic(e) for e in error.errors()]
        # Check the rest too (one run shows every problem): the unparsable ones at defaults.
        defaults = {
            info.alias: info.default
            for field, info in Settings.model_fields.items()
            if info.alias in {p.name for p in parse_problems}
        }
        settings = Settings(**(overrides | defaults))
    problems = parse_problems + check_settings(settings, platforms=platforms)
    if problems:
        raise ConfigErrors(problems)
    return settings


def _from_pydantic(error: Any) -> ConfigProblem:
    loc = error.get("loc") or ("?",)
    name = str(loc[0])
    aliases = {field: info.alias for field, info in Settings.model_fields.items() if info.alias}
    name = aliases.get(name, name)
    value = error.get("input")
    shown = f"{value!r} is not valid" if isinstance(value, str) else "is not valid"
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return ConfigProblem(name, f"{shown}: {message[:1].lower()}{message[1:]}")


def _check_zone(value: str) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{value!r} is not an IANA time zone"
    return None


def _check_http(value: str, schemes: tuple[str, ...]) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        return f"{value!r} is not a {' or '.join(schemes)} URL"
    return None


def parse_shard_ids(text: str) -> list[int]:
    """``0,1`` or ``0-3`` or ``0-1,4`` → the shard ids (ValueError with a reason if not)."""
    ids: list[int] = []
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        try:
            if dash:
                ids.extend(range(int(first), int(last) + 1))
            elif first:
                ids.append(int(first))
        except ValueError:
            raise ValueError(f"{part.strip()!r} is not a shard id or range") from None
    if not ids:
        raise ValueError(f"{text!r} names no shard")
    return list(dict.fromkeys(ids))


def _check_shards(settings: Settings) -> list[ConfigProblem]:
    count = settings.discord_shard_count
    if count is not None and count < 1:
        return [ConfigProblem("DISCORD_SHARD_COUNT", f"{count} is not a positive count")]
    if not settings.discord_shard_ids.strip():
        return []
    try:
        ids = parse_shard_ids(settings.discord_shard_ids)
    except ValueError as error:
        return [ConfigProblem("DISCORD_SHARD_IDS", str(error))]
    if count is None:
        return [ConfigProblem("DISCORD_SHARD_COUNT", "is needed when DISCORD_SHARD_IDS is set")]
    bad = [i for i in ids if i >= count]
    if bad:
        return [
            ConfigProblem(
                "DISCORD_SHARD_IDS", f"ids {bad} are outside 0..{count - 1} (DISCORD_SHARD_COUNT)"
            )
        ]
    return []


def _check_platforms(settings: Settings) -> list[ConfigProblem]:
    problems = []
    unknown = [p for p in settings.enabled_platforms if p not in PLATFORMS]
    if unknown:
        problems.append(
            ConfigProblem("CROSSFADE_PLATFORMS", f"unknown platform(s) {', '.join(unknown)}")
        )
    enabled = settings.enabled_platforms
    if "discord" in enabled and not settings.discord_token:
        problems.append(ConfigProblem("DISCORD_TOKEN", "is empty but discord is enabled"))
    if "slack" in enabled:
        oauth = settings.slack_client_id and settings.slack_client_secret
        if not settings.slack_bot_token and not oauth:
            problems.append(
                ConfigProblem(
                    "SLACK_BOT_TOKEN",
                    "is empty but slack is enabled (or set SLACK_CLIENT_ID and "
                    "SLACK_CLIENT_SECRET for OAuth installs)",
                )
            )
        if not settings.slack_app_token and not settings.slack_signing_secret:
            problems.append(
                ConfigProblem(
                    "SLACK_SIGNING_SECRET",
                    "HTTP mode needs it (or set SLACK_APP_TOKEN for Socket Mode)",
                )
            )
    return problems


def _check_key(settings: Settings) -> str | None:
    from bot.security.keys import MissingServerKey, parse_keys

    if settings.secret_key.strip():
        try:
            parse_keys(settings.secret_key)
        except MissingServerKey:  # never echo the value: a mistyped key is most of a key
            return "is not a server key (32 bytes in URL-safe base64, comma-separated)"
        return None
    if settings.database_url.startswith("postgresql"):
        return "is empty; with PostgreSQL the server key must be set"
    return None


Check = Callable[[Settings], "str | None"]
_VALUE_CHECKS: dict[str, Check] = {
    "DATABASE_URL": lambda s: check_database_url(s.database_url),
    "LOG_LEVEL": lambda s: (
        None
        if s.log_level.strip().upper() in LOG_LEVELS
        else f"{s.log_level!r} is not a log level (DEBUG, INFO, WARNING, ERROR, CRITICAL)"
    ),
    "PORT": lambda s: None if 0 <= s.port <= 65535 else f"{s.port} is not a TCP port",
    "CROSSFADE_DEFAULT_TIMEZONE": lambda s: _check_zone(s.default_timezone),
    "SLACK_API_URL": lambda s: _check_http(s.slack_api_url, ("https", "http")),
    "DISCORD_API_URL": lambda s: _check_http(s.discord_api_url, ("https", "http")),
    "DISCORD_GATEWAY_URL": lambda s: _check_http(s.discord_gateway_url, ("wss", "ws")),
    "CROSSFADE_SECRET_KEY": _check_key,
}


def check_settings(settings: Settings, *, platforms: bool = True) -> list[ConfigProblem]:
    """Every problem with these settings (empty when they can work)."""
    problems = [
        ConfigProblem(name, message)
        for name, check in _VALUE_CHECKS.items()
        if (message := check(settings)) is not None
    ]
    problems += _check_shards(settings)
    if platforms:
        problems += _check_platforms(settings)
    return problems
