"""Logging set-up: readable text for people, JSON lines for log collectors."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator

from bot.kernel.storage.log_redaction import cap_library_loggers

__all__ = ["configure_logging", "log_context"]

# Which team and which request a log line belongs to (set per event; asyncio tasks copy them).
TEAM_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("team_id", default=None)
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


@contextlib.contextmanager
def log_context(*, team: str | None = None, request: str | None = None) -> Iterator[str]:
    """Tag every log line inside with the team and a request id (new unless given). Only
    ids: never a name, a token or what a person typed."""
    request = request or REQUEST_ID.get() or uuid.uuid4().hex[:12]
    team_token = TEAM_ID.set(team if team is not None else TEAM_ID.get())
    request_token = REQUEST_ID.set(request)
    try:
        yield request
    finally:
        REQUEST_ID.reset(request_token)
        TEAM_ID.reset(team_token)


# Credentials that a library might put in a message (a URL, an error text): Slack tokens and
# secrets, Discord bot tokens (three base64 parts), Bearer/Bot authorization values.
_SECRETS = re.compile(
    r"xox[abposer]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+"
    r"|[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"
    r"|(?i:(?:bearer|bot)\s+)[A-Za-z0-9._-]{20,}"
)


def scrub(text: str) -> str:
    return _SECRETS.sub("[redacted]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        if (team := TEAM_ID.get()) is not None:
            data["team_id"] = team
        if (request := REQUEST_ID.get()) is not None:
            data["request_id"] = request
        if record.exc_info:
            data["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False)


def configure_logging(
    level: str = "INFO", fmt: str = "text", *, secrets: tuple[str, ...] = ()
) -> None:
    """``secrets``: values never to print (tokens, signing secret) beyond the patterns that
    bot.kernel.storage.log_redaction already recognises."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Libraries speak at WARNING and above whatever the level (their DEBUG lines carry tokens,
    # payloads and who pressed which button); secrets are scrubbed from every record.
    cap_library_loggers(handler, known=secrets, level=root.level)
    handler.addFilter(_drop_voice_notice)


def _drop_voice_notice(record: logging.LogRecord) -> bool:
    # discord.py warns at import that voice is unsupported; Crossfade never uses voice, and
    # an operator reading start-up logs should not chase it.
    return not (
        record.name == "discord.client" and "voice will NOT be supported" in str(record.msg)
    )
