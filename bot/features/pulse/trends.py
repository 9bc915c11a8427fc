"""Trends of template questions across weeks, as pure rules: closed polls grouped by
template and local week, a week shown only when a poll of it reached k, and the change
since the week before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.pulse.tally import Tally

__all__ = ["TrendPoint", "TrendRow", "WeekResult", "summarise", "trend_rows", "week_of"]


@dataclass(frozen=True, slots=True)
class WeekResult:
    """One closed poll asked from a template; ``shown`` is whether it reached k."""

    template: str
    question: str
    kind: str
    asked_at: datetime
    tally: Tally
    shown: bool


@dataclass(frozen=True, slots=True)
class TrendPoint:
    week: date  # the Monday of the local week the poll was asked in
    value: float
    text: str
    answers: int


@dataclass(frozen=True, slots=True)
class TrendRow:
    """One template question across weeks. ``hidden`` counts weeks where no poll reached k."""

    template: str
    question: str
    unit: str
    value_unit: str  # the axis of a chart ("" when a single number does not summarise it)
    points: tuple[TrendPoint, ...]
    hidden: int
    change: str


def week_of(instant: datetime, zone: ZoneInfo) -> date:
    """The Monday of the local week containing ``instant``."""
    local = instant.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def summarise(kind: str, tally: Tally) -> tuple[float, str]:
    """One number and a short text for a tally: the average of a scale, the share of Yes, or
    the share of the most chosen option (with every option's share in the text)."""
    pcts = tally.percentages
    texts = tally.percent_texts
    if kind == "scale":
        mean = tally.mean() or 0.0
        return mean, f"{mean:.1f} of 5"
    if kind == "yesno":
        return float(pcts[0]), f"{texts[0]} yes"
    top = max(range(len(pcts)), key=lambda i: (tally.counts[i], -i)) if pcts else 0
    text = " · ".join(f"{label} {pct}" for label, pct in zip(tally.labels, texts, strict=True))
    return float(pcts[top]) if pcts else 0.0, text


_UNITS = {
    "scale": ("average answer, 1–5", "average (1–5)"),
    "yesno": ("share answering yes", "% yes"),
    "options": ("share of each answer", ""),
}


def trend_rows(results: list[WeekResult], *, zone: ZoneInfo) -> list[TrendRow]:
    """Group closed template polls by template and local week. A week shows only polls that
    reached k themselves (polls below k are never merged into a bigger group); a week where
    none did is counted in ``hidden`` and shows nothing."""
    order: list[str] = []
    by_template: dict[str, list[WeekResult]] = {}
    for result in sorted(results, key=lambda r: r.asked_at):
        if result.template not in by_template:
            order.append(result.template)
        by_template.setdefault(result.template, []).append(result)
    rows: list[TrendRow] = []
    for template in order:
        items = by_template[template]
        latest = items[-1]
        weeks: dict[date, list[WeekResult]] = {}
        for item in items:
            if item.kind == latest.kind and item.tally.labels == latest.tally.labels:
                weeks.setdefault(week_of(item.asked_at, zone), []).append(item)
        points: list[TrendPoint] = []
        hidden = 0
        for week in sorted(weeks):
            shown = [w for w in weeks[week] if w.shown]
            if not shown:
                hidden += 1
                continue
            counts = tuple(
                sum(w.tally.counts[i] for w in shown) for i in range(len(latest.tally.labels))
            )
            merged = Tally(latest.tally.labels, counts)
            value, text = summarise(latest.kind, merged)
            points.append(TrendPoint(week, value, text, merged.total))
        unit, value_unit = _UNITS.get(latest.kind, ("", ""))
        rows.append(
            TrendRow(
                template=template,
                question=latest.question,
                unit=unit,
                value_unit=value_unit,
                points=tuple(points),
                hidden=hidden,
                change=_change(latest.kind, points),
            )
        )
    return rows


def _change(kind: str, points: list[TrendPoint]) -> str:
    if len(points) < 2 or kind == "options":
        return ""
    before, now = points[-2], points[-1]
    delta = now.value - before.value
    since = f"since the week of {before.week.day} {before.week:%b}"
    if kind == "scale":
        if abs(delta) < 0.05:
            return f"No change {since}."
        return f"{'Up' if delta > 0 else 'Down'} {abs(delta):.1f} {since}."
    if round(delta) == 0:
        return f"No change {since}."
    return f"{'Up' if delta > 0 else 'Down'} {abs(round(delta))} points {since}."
