"""PNG charts for the private dashboard and the weekly summary (matplotlib, Agg backend).

Rendering takes tens of milliseconds of CPU, so the async entry points run it in a worker
thread (``asyncio.to_thread``) and the event loop keeps answering clicks meanwhile. Only the
object-oriented API is used (``Figure`` + ``FigureCanvasAgg``), never pyplot's global state,
so concurrent renders in several threads are safe.

The images are sized for chat previews (Slack and Discord show them about 360–500 px wide):
800 px wide, large type, three stacked panels sharing one day axis, and no colour carrying
meaning on its own (late log-offs are also drawn as a different marker).
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import TYPE_CHECKING

from bot.features.checkin.insights import HOURS_LABELS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ChartDay", "checkin_chart", "render_checkin_chart"]

MOOD = "#2f6db5"
ENERGY = "#e08a1e"
BARS = "#8fb3de"
LONG = "#c8453b"
ON_TIME = "#2e8b57"
LATE = "#c8453b"
TARGET = "#555555"
MUTED = "#777777"

_ENERGY_Y = {"low": 1.0, "ok": 3.0, "high": 5.0}
_WIDTH_IN, _HEIGHT_IN, _DPI = 6.4, 6.0, 100


@dataclass(frozen=True, slots=True)
class ChartDay:
    """One local date on the chart; any value may be missing (drawn as a gap)."""

    day: date
    mood: int | None = None
    energy: str | None = None
    hours: str | None = None
    logoff: time | None = None
    late: bool | None = None
    target: time | None = None


def _minutes(value: time) -> float:
    return value.hour * 60 + value.minute


def _clock(minutes: float, _pos: object = None) -> str:
    minutes = round(minutes) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_labels(days: Sequence[date]) -> tuple[list[int], list[str]]:
    if len(days) <= 10:
        return list(range(len(days))), [f"{d:%a}\n{d.day}" for d in days]
    # A month: one label a week (on the first day shown, then every 7th) keeps them legible.
    ticks = list(range(0, len(days), 7))
    return ticks, [f"{days[i]:%a}\n{days[i].day} {days[i]:%b}" for i in ticks]


def _empty_png(title: str, message: str) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_WIDTH_IN, 3.2), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.text(0.5, 0.62, title, ha="center", va="center", fontsize=18, weight="bold")
    axes.text(0.5, 0.35, message, ha="center", va="center", fontsize=14, color=MUTED)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, facecolor="white")
    return buffer.getvalue()


def _style(axes: Axes, *, title: str, n: int) -> None:
    axes.set_title(title, loc="left", fontsize=14, weight="bold", pad=6)
    axes.tick_params(labelsize=13)
    axes.grid(axis="y", color="#e4e4e4", linewidth=1)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    # At least five day-slots wide, so one or two days are not drawn as a wall of colour.
    spare = max(0, 5 - n) / 2
    axes.set_xlim(-0.6 - spare, n - 0.4 + spare)


def _legend(axes: Axes, *, fontsize: int = 12) -> None:
    # Above the panel, right-aligned, so it never covers a data point.
    entries = len(axes.get_legend_handles_labels()[1])
    axes.legend(
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=fontsize if entries <= 3 else fontsize - 1,
        ncols=max(entries, 1),
        frameon=False,
        borderaxespad=0.1,
        handletextpad=0.3,
        handlelength=1.4,
        columnspacing=0.8,
    )


def _known(xs: Sequence[int], values: Sequence[float]) -> tuple[list[int], list[float]]:
    """The points with a value; lines join across days without one (weekends, gaps)."""
    pairs = [(x, v) for x, v in zip(xs, values, strict=True) if not math.isnan(v)]
    return [x for x, _ in pairs], [v for _, v in pairs]


def _clock_step(span: float) -> float:
    for step in (15.0, 30.0, 60.0, 120.0, 180.0):
        if span / step <= 5:
            return step
    return 240.0


def render_checkin_chart(days: Sequence[ChartDay], *, title: str) -> bytes:
    """A PNG of mood and energy per day, hours as bars, and log-off times against the
    target, one column per date in ``days`` (which should be consecutive dates). Always a
    valid PNG, also for no days at all."""
    if not days:
        return _empty_png(title, "No check-ins yet: /crossfade checkin takes 30 seconds.")
    days = sorted(days, key=lambda d: d.day)
    n = len(days)
    marker = 6 if n > 10 else 10

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_WIDTH_IN, _HEIGHT_IN), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    mood_ax, hours_ax, logoff_ax = figure.subplots(3, 1, sharex=True)
    figure.suptitle(title, fontsize=17, weight="bold", wrap=True)
    _style(mood_ax, title="Mood & energy", n=n)
    _style(hours_ax, title="Hours worked", n=n)
    _style(logoff_ax, title="Log-off", n=n)
    _mood_panel(mood_ax, days, marker=marker)
    _hours_panel(hours_ax, days)
    _logoff_panel(logoff_ax, days, marker=marker)
    ticks, labels = _day_labels([d.day for d in days])
    logoff_ax.set_xticks(ticks, labels)
    return _png(figure)


def _mood_panel(axes: Axes, days: Sequence[ChartDay], *, marker: int) -> None:
    """Mood (1–5) and energy (low/ok/high drawn at 1/3/5) share one 1–5 scale; the energy
    names are written on the right-hand axis."""
    xs = list(range(len(days)))
    moods = [float(d.mood) if d.mood is not None else math.nan for d in days]
    energy = [_ENERGY_Y.get(d.energy or "", math.nan) for d in days]
    axes.plot(*_known(xs, moods), "-o", color=MOOD, lw=2.5, ms=marker, label="mood")
    axes.plot(*_known(xs, energy), "--s", color=ENERGY, lw=2, ms=marker - 1, label="energy")
    axes.set_ylim(0.5, 5.5)
    axes.set_yticks([1, 2, 3, 4, 5])
    energy_ax = axes.twinx()
    energy_ax.set_ylim(axes.get_ylim())
    energy_ax.set_yticks([1, 3, 5], ["low", "ok", "high"])
    energy_ax.tick_params(labelsize=13, colors=ENERGY, length=0)
    for side in ("top", "right", "left"):
        energy_ax.spines[side].set_visible(False)
    _legend(axes)


def _hours_panel(axes: Axes, days: Sequence[ChartDay]) -> None:
    """Hours as bars on the four answer buckets; 10+ days stand out in a warmer colour."""
    xs = list(range(len(days)))
    buckets = list(HOURS_LABELS)
    heights = [float(buckets.index(d.hours) + 1) if d.hours in buckets else 0.0 for d in days]
    colors = [LONG if d.hours == "10+" else BARS for d in days]
    axes.bar(xs, heights, color=colors, width=0.72)
    axes.set_ylim(0, 4.4)
    axes.set_yticks([1, 2, 3, 4], list(HOURS_LABELS.values()))


def _no_logoffs(axes: Axes) -> None:
    axes.set_yticks([])
    axes.text(
        0.5,
        0.5,
        "No log-off reminders yet",
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=13,
        color=MUTED,
    )


def _logoff_points(axes: Axes, logged: list[tuple[int, ChartDay]], *, marker: int) -> None:
    """Log-off times: circles on time, crosses late."""
    for late, colour, shape, label in (
        (False, ON_TIME, "o", "on time"),
        (True, LATE, "X", "late"),
    ):
        chosen = [(x, _minutes(d.logoff)) for x, d in logged if bool(d.late) is late and d.logoff]
        if chosen:
            axes.plot(
                [x for x, _ in chosen],
                [y for _, y in chosen],
                shape,
                color=colour,
                ms=marker + (2 if late else 1),
                label=label,
            )


def _logoff_panel(axes: Axes, days: Sequence[ChartDay], *, marker: int) -> None:
    """Log-off times against the target: a dashed line; circles on time, crosses late."""
    xs = list(range(len(days)))
    logged = [(x, d) for x, d in zip(xs, days, strict=True) if d.logoff is not None]
    targets = [_minutes(d.target) if d.target is not None else math.nan for d in days]
    if not logged and all(math.isnan(t) for t in targets):
        _no_logoffs(axes)
        return
    target_x, target_y = _known(xs, targets)
    if target_x:
        # Extend the line half a day either side so one day still shows a segment.
        steps_x = [target_x[0] - 0.5, *target_x, target_x[-1] + 0.5]
        steps_y = [target_y[0], *target_y, target_y[-1]]
        axes.step(steps_x, steps_y, where="mid", color=TARGET, ls="--", lw=2, label="target")
    _logoff_points(axes, logged, marker=marker)
    values = [_minutes(d.logoff) for _, d in logged if d.logoff is not None] + target_y
    low, high = min(values), max(values)
    step = _clock_step(max(high - low, 30.0) + 40.0)
    bottom = math.floor((low - 15) / step) * step
    top = math.ceil((high + 15) / step) * step
    axes.set_ylim(bottom, top)
    # Late without a time ("working late", never said `done`): an open cross on the top edge.
    unknown = [x for x, d in zip(xs, days, strict=True) if d.late and d.logoff is None]
    if unknown:
        axes.plot(
            unknown,
            [top] * len(unknown),
            "X",
            color=LATE,
            markerfacecolor="white",
            markeredgewidth=2,
            ms=marker + 2,
            clip_on=False,
            label="worked late (no log-off time)",
        )
    from matplotlib.ticker import (  # matplotlib loads on the first chart, not at start-up
        FuncFormatter,
        MultipleLocator,
    )

    axes.yaxis.set_major_locator(MultipleLocator(step))
    axes.yaxis.set_major_formatter(FuncFormatter(_clock))
    _legend(axes)


async def checkin_chart(days: Sequence[ChartDay], *, title: str) -> bytes:
    """:func:`render_checkin_chart` in a worker thread, off the event loop."""
    return await asyncio.to_thread(render_checkin_chart, list(days), title=title)
