"""Keep personal data and secrets out of log records.

Values bound to statements are personal data (check-in notes, names, participation marks).
With SQLAlchemy's ``hide_parameters``, and these filters on aiosqlite's debug lines and on
SQLAlchemy's debug lines of fetched rows, no log record — at any level — carries a stored or
bound value. Library loggers (whose DEBUG lines carry OAuth responses, payloads and button
values) are capped at WARNING, and every record that reaches the handler is scrubbed of
tokens and secrets (:func:`cap_library_loggers`).
"""

from __future__ import annotations

import functools
import logging
import re

__all__ = ["LIBRARIES", "SafeRecords", "cap_library_loggers", "install_sql_log_redaction", "scrub"]

_AIOSQLITE = "aiosqlite"
_SQLALCHEMY = "sqlalchemy.engine.Engine"


def _name(value: object) -> str:
    target = value.func if isinstance(value, functools.partial) else value
    return str(getattr(target, "__name__", type(target).__name__))


class _RedactCalls(logging.Filter):
    """aiosqlite logs ``executing functools.partial(cursor.execute, SQL, PARAMS)``; keep the
    name of the call and drop its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                _name(arg) if callable(arg) or isinstance(arg, functools.partial) else arg
                for arg in record.args
            )
        return True


class _RedactRows(logging.Filter):
    """SQLAlchemy at DEBUG logs every fetched row (``Row (…values…)``); keep the line, not
    the values."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == "Row %r":
            record.msg, record.args = "Row (values hidden)", ()
        return True


def install_sql_log_redaction() -> None:
    """Idempotent: attach the filters once per process."""
    for name, kind in ((_AIOSQLITE, _RedactCalls), (_SQLALCHEMY, _RedactRows)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())


# --- library loggers and secrets in any record ----------------------------------------------

# Libraries that log payloads at DEBUG/INFO: slack_sdk the OAuth response (with the access
# token) and every request, slack_bolt every payload, discord.py's gateway every event
# (button values and who pressed them), aiohttp/websockets raw frames, SQLAlchemy and the
# drivers the statements. They speak at WARNING and above, whatever LOG_LEVEL says.
LIBRARIES = (
    "slack_sdk",
    "slack_bolt",
    "discord",
    "aiohttp",
    "websockets",
    "asyncio",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "alembic",
    "apscheduler",
    "urllib3",
    "matplotlib",
    "PIL",
)

_SECRET_PATTERNS = (
    # Slack tokens: bot, user, refresh, app-level, config
    re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    # Discord bot tokens: base64 user id . timestamp . HMAC
    re.compile(r"\b[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}"),
    # Authorization headers
    re.compile(r"(?i)\b(Bearer|Basic|Bot)\s+[A-Za-z0-9._~+/=-]{8,}"),
    # OAuth codes, client secrets and tokens in query strings, form bodies and JSON
    re.compile(
        r"""(?i)(["']?(?:code|client_secret|access_token|refresh_token|token|"""
        r"""signing_secret|authorization)["']?\s*[=:]\s*["']?)([^\s&"',}]+)"""
    ),
)


def scrub(text: str, known: tuple[str, ...] = ()) -> str:
    """``text`` with every token-looking value and every ``known`` secret replaced."""
    for secret in known:
        if secret:
            text = text.replace(secret, "[secret]")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) + "[secret]") if m.re.groups else "[secret]", text)
    return text


class SafeRecords(logging.Filter):
    """On the handler: drops library records below WARNING (even when a library's level was
    lowered later), and scrubs secrets from whatever is left, traceback included."""

    def __init__(self, known: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.known = tuple(k for k in known if k and len(k) >= 8)

    def filter(self, record: logging.LogRecord) -> bool:
        library = record.name.split(".", 1)[0] in LIBRARIES
        if library and record.levelno < logging.WARNING:
            return False
        message = record.getMessage()
        clean = scrub(message, self.known)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None:
            import traceback

            record.exc_text = scrub(
                "".join(traceback.format_exception(*record.exc_info)), self.known
            )
            record.exc_info = None
        return True


def cap_library_loggers(
    handler: logging.Handler, *, known: tuple[str, ...] = (), level: int = logging.WARNING
) -> None:
    """Make ``handler`` safe (see :class:`SafeRecords`) and raise every library logger to
    WARNING (or ``level`` if higher), so their DEBUG work is not even formatted."""
    install_sql_log_redaction()
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, level))
    if not any(isinstance(f, SafeRecords) for f in handler.filters):
        handler.addFilter(SafeRecords(known))
