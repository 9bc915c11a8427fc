"""The pulse's section of the ``team`` view: each template question's result week by week,
as lines and a chart — only weeks where a poll reached k. The rules are
:mod:`bot.features.pulse.trends`; the section is offered through the kernel's
``TEAM_SECTIONS`` slot (see :mod:`bot.features.pulse.commands`).
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.anonymity import effective_k
from bot.features.pulse.chart import trend_chart
from bot.features.pulse.polls import poll_k
from bot.features.pulse.store import Pulses
from bot.features.pulse.trends import TrendRow, WeekResult, trend_rows
from bot.kernel.context import Context
from bot.kernel.slots import TeamSection
from bot.kernel.ui import Block, Image, Text

__all__ = ["TREND_SECTION", "trend_blocks"]


async def trend_blocks(ctx: Context) -> list[Block]:
    """Each template question's result week by week — only weeks where at least k answered."""
    history = await ctx.store(Pulses).template_history()
    if not history:
        return []
    results = [
        WeekResult(
            template=poll.template or "",
            question=poll.question,
            kind=poll.kind,
            asked_at=poll.opened_at,
            tally=tally,
            shown=poll.responses >= poll_k(ctx, poll),
        )
        for poll, tally in history
    ]
    rows = trend_rows(results, zone=ctx.zone)
    if not rows:
        return []
    k = effective_k(ctx.team.k_threshold)
    blocks: list[Block] = []
    by_unit: dict[str, list[TrendRow]] = {}
    for row in rows:
        blocks.append(Text(_row_text(row, k)))
        if len(row.points) >= 2 and row.value_unit:
            by_unit.setdefault(row.value_unit, []).append(row)
    for unit, charted in by_unit.items():
        blocks.append(await _chart(unit, charted))
    return blocks


def _row_text(row: TrendRow, k: int) -> str:
    lines = [f"*{row.question}* — {row.unit}"]
    for point in row.points:
        lines.append(f"• week of {point.week:%d %b}: {point.text} · {point.answers} answers")
    if row.hidden:
        word = "week" if row.hidden == 1 else "weeks"
        lines.append(f"_{row.hidden} {word} not shown: fewer than {k} people answered._")
    if not row.points:
        lines.append("_No week had enough answers to show yet._")
    if row.change:
        lines.append(f"_{row.change}_")
    return "\n".join(lines)


async def _chart(unit: str, charted: list[TrendRow]) -> Image:
    """One chart for the questions measured in ``unit`` (an average, a share of yes)."""
    shown = [p.week for row in charted for p in row.points]
    # Every week from the first to the last, so a hidden week shows as a gap.
    weeks = [
        min(shown) + timedelta(weeks=i) for i in range((max(shown) - min(shown)).days // 7 + 1)
    ]
    series = [(row.question, [(f"{p.week:%d %b}", p.value) for p in row.points]) for row in charted]
    png = await trend_chart(
        series,
        weeks=[f"{w:%d %b}" for w in weeks],
        title="Pulse trend by week",
        unit=unit,
        limits=(1.0, 5.0) if "1–5" in unit else (0.0, 100.0),
    )
    alt = "Trend by week: " + "; ".join(
        f"{name}: " + ", ".join(f"week of {week} {value:.1f}" for week, value in points)
        for name, points in series
    )
    return Image(png, alt[:1900], filename="pulse-trend.png")


TREND_SECTION = TeamSection("Pulse trends", trend_blocks)
