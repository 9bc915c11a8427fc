"""What the engine sends: the wind-down heads-up and the log-off reminder.

Other features add a line or a button to the reminder through
:data:`~bot.kernel.slots.REMINDER_ADDONS` (e.g. Slack's automatic pause, "Pause Slack too").
"""

from __future__ import annotations

from datetime import datetime

from bot.features.logoff.flow import flow
from bot.features.logoff.rules import format_hours
from bot.features.logoff.setup import HEADS_UP, HOURS, HOURS_HEADS_UP, REMIND, SNOOZE_KIND
from bot.features.logoff.views import DONE, reminder_buttons
from bot.kernel.context import Context
from bot.kernel.effects import Effect, SendDirect
from bot.kernel.slots import REMINDER_ADDONS
from bot.kernel.ui import Button, Buttons, Message, Text
from bot.scheduling import Due

__all__ = ["heads_up_job", "reminder_job"]


@flow.job(HEADS_UP)
@flow.job(HOURS_HEADS_UP)
async def heads_up_job(ctx: Context, due: Due) -> list[Effect]:
    target = due.data.get("target", "")
    text = (
        f"Wind-down: your log-off is at {target}. Time to wrap up — note where you stopped "
        "and the first thing for tomorrow."
    )
    day = due.local_date.isoformat()
    buttons = Buttons((Button("I'm logging off", DONE, day),))
    return [SendDirect(ctx.user_ref, Message(text, (Text(text), buttons)))]


def _reminder_text(due: Due) -> str:
    local = due.local_due
    if due.kind == HOURS:
        started = datetime.fromisoformat(due.data["started"]).astimezone(local.tzinfo)
        return (
            f"You've worked {format_hours(float(due.data.get('hours', 8)))} since "
            f"{started:%H:%M} — time to log off."
        )
    if due.kind == SNOOZE_KIND:
        return f"It's {local:%H:%M} — snoozed reminder: time to log off."
    if due.data.get("mode") == "hours":
        return f"It's {local:%H:%M}, your hard stop — time to log off."
    return f"It's {local:%H:%M} — time to log off. Your evening is yours."


@flow.job(REMIND)
@flow.job(HOURS)
@flow.job(SNOOZE_KIND)
async def reminder_job(ctx: Context, due: Due) -> list[Effect]:
    text = _reminder_text(due)
    extra: list[Button] = []
    for addon in ctx.provided(REMINDER_ADDONS):
        added = await addon(ctx, due.kind in (REMIND, HOURS))
        if added.line:
            text = f"{text}\n{added.line}"
        if added.button is not None:
            extra.append(added.button)
    buttons = reminder_buttons(due.local_date.isoformat(), tuple(extra))
    message = Message(text, (Text(text), buttons))
    return [SendDirect(ctx.user_ref, message)]
