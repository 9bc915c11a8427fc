"""The schedule rules (defined with the pure schedule maths in ``bot.domain.schedule_rules``).

* ``DailyLocal(at, workdays_only=True)`` — every (work)day at ``at`` in the member's zone;
  skipped on away days, public holidays and when ``at`` falls inside quiet hours.
* ``Once(at)`` — one UTC instant (a snooze, an hours-based reminder, a pulse closing).
* ``WeeklyLocal(weekday, at, zone)`` — team-level weekly; ignores member rules.
"""

from __future__ import annotations

from bot.domain.schedule_rules import (
    DailyLocal,
    Once,
    Rule,
    WeeklyLocal,
    rule_from_json,
    rule_to_json,
)

__all__ = ["DailyLocal", "Once", "Rule", "WeeklyLocal", "rule_from_json", "rule_to_json"]
