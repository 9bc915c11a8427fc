"""When a schedule fires: three small rule values, serialisable to JSON for the schedules
table (re-exported by ``bot.scheduling.rules``).

* :class:`DailyLocal` — every (work)day at a wall-clock time in the member's zone. Skipped on
  non-workdays (when ``workdays_only``), away days, public holidays and when ``at`` falls
  inside the member's quiet hours. Fires at most once per local day.
* :class:`Once` — one UTC instant (a snooze, an hours-based reminder, a pulse closing).
  A member schedule is not sent inside the member's quiet hours or on an away day.
* :class:`WeeklyLocal` — a team-level weekly time in a named zone (a recurring pulse);
  it ignores every member rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["DailyLocal", "Once", "Rule", "WeeklyLocal", "rule_from_json", "rule_to_json"]


@dataclass(frozen=True, slots=True)
class DailyLocal:
    """Every day (or every workday) at ``at``, local to the member."""

    at: time
    workdays_only: bool = True

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None:
            raise ValueError("DailyLocal.at is a wall-clock time without a zone")


@dataclass(frozen=True, slots=True)
class Once:
    """One instant; ``at`` must be timezone-aware (it is kept in UTC)."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("Once.at must be timezone-aware")
        object.__setattr__(self, "at", self.at.astimezone(UTC))


@dataclass(frozen=True, slots=True)
class WeeklyLocal:
    """Every week on ``weekday`` (Monday = 0) at ``at`` in ``zone`` (an IANA name)."""

    weekday: int
    at: time
    zone: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("WeeklyLocal.weekday is 0 (Monday) … 6 (Sunday)")
        ZoneInfo(self.zone)  # raises for an unknown zone, at construction


Rule = DailyLocal | Once | WeeklyLocal


def _clock(value: time) -> str:
    if value.second == 0 and value.microsecond == 0:
        return f"{value.hour:02d}:{value.minute:02d}"
    return value.isoformat()


def rule_to_json(rule: Rule) -> dict[str, Any]:
    """A JSON-safe dict; :func:`rule_from_json` reads it back to an equal rule."""
    if isinstance(rule, DailyLocal):
        return {"type": "daily", "at": _clock(rule.at), "workdays_only": rule.workdays_only}
    if isinstance(rule, Once):
        return {"type": "once", "at": rule.at.isoformat()}
    return {"type": "weekly", "weekday": rule.weekday, "at": _clock(rule.at), "zone": rule.zone}


def rule_from_json(data: dict[str, Any]) -> Rule:
    kind = data.get("type")
    if kind == "daily":
        return DailyLocal(time.fromisoformat(data["at"]), bool(data.get("workdays_only", True)))
    if kind == "once":
        return Once(datetime.fromisoformat(data["at"]))
    if kind == "weekly":
        return WeeklyLocal(int(data["weekday"]), time.fromisoformat(data["at"]), data["zone"])
    raise ValueError(f"unknown schedule rule {data!r}")
