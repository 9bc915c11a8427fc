"""The verdict on one firing of a claimed schedule: fire it, move it, or skip it and why.

In order: the platform (the team uninstalled the app, the member blocks DMs), the person's
rules (``bot.domain.dm_decision``: misfires past the grace window, away days, quiet hours,
workdays), a job handler to run it, and last the person's working window
(``bot.scheduling.window``: send, hold until the window opens, or drop). Pure: it reads the
claimed values and writes nothing to the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.dm_decision import Decision, DmFiring, Verdict, decide
from bot.domain.schedule import PersonalRules
from bot.domain.schedule_rules import DailyLocal, Once, WeeklyLocal
from bot.domain.window import Category
from bot.domain.zones import safe_zone
from bot.kernel.storage.models import Team
from bot.scheduling.api import DM_BLOCKED
from bot.scheduling.claims import ClaimedSchedule, MemberRow
from bot.scheduling.window import window_decision

__all__ = ["Judgement", "judge", "zone_of"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Judgement:
    """What becomes of one firing."""

    moved_to: datetime | None = None  # a one-off moved out of quiet hours: not fired now
    reason: str | None = None  # why it is not fired (the metrics' label); None: fire it
    window: Decision | None = None  # the working window's verdict, when it was asked
    category: Category = "inside"  # what the window counts the firing's DMs as
    dropped: Decision | None = None  # the decision that dropped (or held) it

    @property
    def stops(self) -> bool:
        """The member cannot be messaged: the schedule stops."""
        return self.reason == DM_BLOCKED


def zone_of(schedule: ClaimedSchedule, rules: PersonalRules | None, team: Team) -> ZoneInfo:
    """The zone a firing is local to: the rule's own, else the member's, else the team's."""
    rule = schedule.rule
    if isinstance(rule, WeeklyLocal):
        return ZoneInfo(rule.zone)
    if rules is not None:
        return rules.zone
    return safe_zone(None, team.default_timezone)


def judge(
    schedule: ClaimedSchedule,
    member: MemberRow | None,
    rules: PersonalRules | None,
    team: Team,
    *,
    local_due: datetime,
    now: datetime,
    grace: timedelta,
    has_handler: bool,
) -> Judgement:
    """The verdict on the firing of ``schedule`` due at ``local_due``."""
    due_at = schedule.next_due_at
    assert due_at is not None
    verdict = _decide(schedule, member, rules, team, due_at, now, grace)
    if isinstance(verdict, Decision) and verdict.verdict is Verdict.MOVE:
        return Judgement(moved_to=verdict.at)
    reason = str(verdict.reason) if isinstance(verdict, Decision) else verdict
    if reason is None and not has_handler:
        log.error("no job handler registered for schedule kind %r", schedule.kind)
        reason = "no_handler"
    window: Decision | None = None
    category: Category = "inside"
    exempt = bool((schedule.data or {}).get("ignore_rules"))
    if reason is None and member is not None and rules is not None and not exempt:
        # The right to disconnect: the person's working window decides (send, hold
        # until the next window start, or drop with a reason `next` shows).
        window, category = window_decision(schedule.kind, member.values, team, rules, local_due)
        if window.verdict is Verdict.DROP:
            reason = str(window.reason)
    dropped = window if window is not None and not window.sent else verdict
    return Judgement(
        reason=reason,
        window=window,
        category=category,
        dropped=dropped if isinstance(dropped, Decision) else None,
    )


def _decide(
    schedule: ClaimedSchedule,
    member: MemberRow | None,
    rules: PersonalRules | None,
    team: Team,
    due_at: datetime,
    now: datetime,
    grace: timedelta,
) -> Decision | str | None:
    """``None`` to fire; a platform reason (``uninstalled``, ``dm_blocked``) or the
    person's rules' :class:`Decision` (move or drop) otherwise."""
    data = schedule.data or {}
    rule = schedule.rule
    firing = DmFiring(
        due_at=due_at,
        one_off=isinstance(rule, Once),
        workdays_only=not isinstance(rule, DailyLocal) or rule.workdays_only,
        run_late=bool(data.get("run_late")),
        ignore_rules=bool(data.get("ignore_rules")) or isinstance(rule, WeeklyLocal),
    )
    ignore_blocked = bool(data.get("ignore_rules"))
    decision = decide(firing, None, now=now, grace=grace)
    if decision.sent and not team.active:
        return "uninstalled"
    if not decision.sent or member is None:
        return None if decision.sent else decision
    if member.dm_blocked and not ignore_blocked:
        return DM_BLOCKED
    decision = decide(firing, rules, now=now, grace=grace)
    return None if decision.sent else decision
