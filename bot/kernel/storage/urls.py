"""Checking a database URL before anything connects: SQLite or PostgreSQL, the async drivers."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["check_database_url", "safe_url"]


def check_database_url(url: str) -> str | None:
    """What is wrong with a database URL (after ``async_driver_url``), or None."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"{safe_url(url)!r} is not a database URL"
    if parsed.drivername == "sqlite+aiosqlite":
        return None
    if parsed.drivername == "postgresql+asyncpg":
        if not parsed.host and not parsed.query.get("host"):
            return "the PostgreSQL URL has no host"
        return None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "sqlite"):
        return f"driver {parsed.drivername!r} is synchronous; Crossfade needs the async one"
    return f"{backend!r} databases are not supported (PostgreSQL or SQLite only)"


def safe_url(url: str) -> str:
    """A URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        credentials, _, host = rest.rpartition("@")
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
