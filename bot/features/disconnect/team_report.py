"""``team disconnect``: the works-council report — the bot's DMs of the last 4 weeks in three
counts (inside windows, outside as asked, outside unasked), for the whole team only."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.sent import Sent
from bot.features.disconnect.report import disconnect_report
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect
from bot.kernel.errors import UserError

__all__ = ["counts", "report"]


async def counts(ctx: Context, *, days: int = 28) -> dict[str, int]:
    # Whole UTC days up to yesterday: today's and later rows may still be waiting to go out.
    today = ctx.now.date()
    return await ctx.store(Sent).window_counts(first=today - timedelta(days=days), until=today)


async def report(ctx: Context) -> list[Effect]:
    if not ctx.is_admin:
        raise UserError("Only team admins can see the disconnect report.")
    text = disconnect_report(await counts(ctx), strict=bool(ctx.team.strict_disconnect))
    return [reply(text)]
