"""The check-in flow: its commands, buttons, form, jobs and provisions register on it."""

from __future__ import annotations

from bot.kernel.registry import Flow

__all__ = ["flow"]

flow = Flow("checkin")
