"""An engine for adapter tests that exercise the shell, not the scheduling: nothing is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class NullEngine:
    """Nothing is ever due; notifiers are only collected."""

    notifiers: list[Any] = field(default_factory=list)

    def add_notifier(self, notifier: Any) -> None:
        self.notifiers.append(notifier)

    async def next_due_at(self) -> datetime | None:
        return None

    async def run_due(self) -> None:
        return None

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
