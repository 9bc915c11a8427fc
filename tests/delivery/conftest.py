"""The delivery tests share the scheduling tests' fixtures."""

from __future__ import annotations

from tests.scheduling.conftest import engine, harness, notifier, tbot, tengine

__all__ = ["engine", "harness", "notifier", "tbot", "tengine"]
