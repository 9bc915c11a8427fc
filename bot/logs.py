"""Logging set-up: readable text for people, JSON lines for log collectors."""

from __future__ import annotations

import json
import logging
import sys

from bot.storage.log_redaction import cap_library_loggers

__all__ = ["configure_logging"]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure_logging(
    level: str = "INFO", fmt: str = "text", *, secrets: tuple[str, ...] = ()
) -> None:
    """``secrets``: values never to print (tokens, signing secret) beyond the patterns that
    bot.storage.log_redaction already recognises."""
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
