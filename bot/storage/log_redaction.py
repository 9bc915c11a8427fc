"""Keep SQL parameter values out of log records.

Values bound to statements are personal data (check-in notes, names) and, for pulse polls,
the one place where a participant hash and an answer index pass close together: the
participant insert and the counter update run one after the other in one transaction. With
SQLAlchemy's ``hide_parameters``, and these filters on aiosqlite's debug lines and on
SQLAlchemy's debug lines of fetched rows, no log record — at any level — carries a stored or
bound value, so logs cannot be used to link anyone to an answer (or leak a poll's secret).
"""

from __future__ import annotations

import functools
import logging

__all__ = ["install_sql_log_redaction"]

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
