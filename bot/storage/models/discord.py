"""Tables of the discord feature (owned by its issue and its migration)."""

from __future__ import annotations

__all__: list[str] = []
