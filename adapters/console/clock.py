"""The console's controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.kernel.clock import FakeClock

__all__ = ["OffsetClock"]


class OffsetClock(FakeClock):
    """Real time plus an offset: it runs by itself in an interactive session, and `:now` or
    `:advance` move it. (Scripts use a plain FakeClock so transcripts are reproducible.)"""

    def __init__(self) -> None:
        super().__init__(datetime.now(UTC))
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("OffsetClock needs a timezone-aware datetime")
        self._offset = instant.astimezone(UTC) - datetime.now(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self._offset += delta
        return self.now()
