"""The log-off flow: its commands, buttons, jobs and provisions register on it."""

from __future__ import annotations

from bot.kernel.registry import Flow

__all__ = ["flow"]

flow = Flow("logoff")
