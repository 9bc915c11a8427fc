"""Telling "the database is away" apart from a bug, and saying so in one line.

Used at start-up (the CLI prints one line instead of a traceback), while serving (people get
"I can't reach my database right now" instead of an error) and by ``/readyz`` and
``crossfade doctor``.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

__all__ = ["describe_database_error", "is_concurrent_change", "is_database_unavailable"]

_ASYNCPG_CONNECTION_ERRORS = (
    "ConnectionDoesNotExistError",
    "ConnectionFailureError",
    "CannotConnectNowError",
    "TooManyConnectionsError",
    "InterfaceError",
    "AdminShutdownError",
    "CrashShutdownError",
)


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        # ``orig`` is the driver's error under SQLAlchemy's; ``__cause__`` links asyncpg's.
        current = getattr(current, "orig", None) or current.__cause__
    return seen


def is_concurrent_change(error: BaseException) -> bool:
    """True when ``error`` means another instance or a double click changed the same rows
    (a stale version, a unique key taken meanwhile, a lock or serialisation failure): the
    event can be handled again from the fresh state."""
    return isinstance(error, StaleDataError | IntegrityError | OperationalError)


def is_database_unavailable(error: BaseException) -> bool:
    """True when ``error`` means the database cannot be reached right now (a restart, a
    network cut, a full pool) rather than a bug in a query."""
    for link in _chain(error):
        if isinstance(link, OSError | asyncio.TimeoutError | TimeoutError | PoolTimeout):
            return True
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        if isinstance(link, InterfaceError | OperationalError) and _looks_like_connection(link):
            return True
        if type(link).__name__ in _ASYNCPG_CONNECTION_ERRORS:
            return True
    return False


def _looks_like_connection(error: DBAPIError) -> bool:
    text = str(error).lower()
    return any(
        word in text
        for word in ("connection", "connect", "closed", "terminat", "timeout", "shutdown")
    )


def _where(url: str) -> str:
    try:
        parsed = make_url(url)
    except Exception:  # described by the settings check instead
        return "the database"
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite file {parsed.database}"
    return f"PostgreSQL at {parsed.host or 'localhost'}:{parsed.port or 5432}"


def describe_database_error(error: BaseException, url: str) -> str:
    """One line for an operator: what failed, where, and what to try."""
    names = {type(link).__name__ for link in _chain(error)}
    where = _where(url)
    text = " ".join(str(link) for link in _chain(error)).lower()
    if "InvalidCatalogNameError" in names:
        database = make_url(url).database
        return (
            f"database {database!r} does not exist on {where.removeprefix('PostgreSQL at ')}: "
            f"create it (createdb {database}) or fix DATABASE_URL"
        )
    if "InvalidPasswordError" in names or "InvalidAuthorizationSpecificationError" in names:
        return f"{where} refused the user or password in DATABASE_URL"
    sqlite_file = where.startswith("the SQLite file")
    file_error = sqlite_file and any(isinstance(link, OSError) for link in _chain(error))
    if file_error or "unable to open database file" in text or "readonly database" in text:
        return (
            f"cannot open {where}: does its directory exist and is it writable by this user? "
            "(set DATABASE_URL to a writable path)"
        )
    if is_database_unavailable(error):
        reason = _short(error)
        return f"cannot reach {where} ({reason}): is it running, and is DATABASE_URL right?"
    return f"database error on {where}: {_short(error)}"


def _short(error: BaseException) -> str:
    for link in reversed(_chain(error)):
        message = str(link).strip().splitlines()[0] if str(link).strip() else ""
        if message:
            return message[:160]
    return type(error).__name__
