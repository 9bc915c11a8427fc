"""How long to pause a person's platform notifications after they log off: until their next
working window starts, in steps no longer than a platform accepts at once."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["MAX_SNOOZE", "snooze_plan"]

# Slack caps one snooze; longer breaks are renewed each morning (docs/disconnect.md).
MAX_SNOOZE = timedelta(hours=24)


def snooze_plan(now: datetime, until: datetime) -> tuple[int, datetime]:
    """Minutes for ``dnd.setSnooze`` from ``now`` towards ``until`` (the next window start),
    capped at :data:`MAX_SNOOZE`; and when to renew it (``until`` itself when not capped)."""
    total = max(1, round((until - now).total_seconds() / 60))
    cap = int(MAX_SNOOZE.total_seconds() // 60)
    if total <= cap:
        return total, until
    return cap, now + MAX_SNOOZE
