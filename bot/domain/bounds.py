"""Numbers and text from outside, made safe before anything uses them.

Every integer read from a button value, a form id or a payload goes through
:func:`small_int`: ASCII digits only (``"²".isdigit()`` is true, yet ``int("²")`` fails),
and within the range of a database integer, so an oversized value is a stale button — never
an overflow deep in a query. Every string from a platform goes through :func:`storable`:
PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded at all.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

__all__ = ["DB_INT_MAX", "clean", "small_int", "storable"]

T = TypeVar("T")

DB_INT_MAX = 2**31 - 1  # a PostgreSQL INTEGER
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def small_int(text: str, *, low: int = 0, high: int = DB_INT_MAX) -> int | None:
    """``text`` as an integer in ``low..high``, or ``None`` (not plain digits, or out of
    range)."""
    if not text or len(text) > len(str(high)) or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def storable(text: str) -> str:
    """``text`` without the characters PostgreSQL (or UTF-8) cannot store."""
    return _UNSTORABLE.sub("", text) if _UNSTORABLE.search(text) else text


def clean(value: T) -> T:
    """``value`` (an event, or anything inside one) with every string :func:`storable`:
    the core runs this on each event it receives, so no adapter can forget it."""
    return _clean(value)  # type: ignore[no-any-return]


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _clean(getattr(value, f.name)) for f in fields(value)}
        if any(changes[name] is not getattr(value, name) for name in changes):
            return replace(value, **changes)
    return value
