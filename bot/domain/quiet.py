"""A person's quiet hours as they read them."""

from __future__ import annotations

__all__ = ["quiet_hours_text"]


def quiet_hours_text(start: str | None, end: str | None) -> str:
    """``22:00–07:00`` (stored ``HH:MM`` values), or ``off`` when either is unset."""
    if not start or not end:
        return "off"
    return f"{start}–{end}"
