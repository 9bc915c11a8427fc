"""Keep SQL parameter values out of log records.

Values bound to statements are personal data (check-in notes, names) and, for pulse polls,
the one place where a participant hash and an answer index pass close together: the
participant insert and the counter update run one after the other in one transaction. With
SQLAlchemy's ``hide_parameters`` and this filter on aiosqlite's debug lines, no log record —
at any level — carries a bound value, so logs cannot be used to link anyone to an answer.
"""

from __future__ import annotations

import functools
import logging

__all__ = ["install_sql_log_redaction"]

_AIOSQLITE = "aiosqlite"


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


def install_sql_log_redaction() -> None:
    """Idempotent: attach the filter to aiosqlite's logger once per process."""
    logger = logging.getLogger(_AIOSQLITE)
    if not any(isinstance(f, _RedactCalls) for f in logger.filters):
        logger.addFilter(_RedactCalls())
