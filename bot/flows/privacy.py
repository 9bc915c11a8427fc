"""The privacy flow (built by its own issue)."""

from __future__ import annotations

from bot.router import Flow

__all__ = ["flow"]

flow = Flow("privacy")
