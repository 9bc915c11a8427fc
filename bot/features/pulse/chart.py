"""PNG charts of pulse results (matplotlib, Agg backend, object-oriented API only).

A horizontal bar per answer, in button order, labelled with its count and percentage, so the
image reads without colour and without the legend. Sized for chat previews (800 px wide).
Rendering is CPU work of a few tens of milliseconds: :func:`results_chart` runs it in a
worker thread so the event loop keeps answering clicks.
"""

from __future__ import annotations

import asyncio
import io
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.features.pulse.tally import Tally

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["render_results_chart", "render_trend_chart", "results_chart", "trend_chart"]

BAR = "#2f6db5"
TOP = "#1d4f8f"
MUTED = "#666666"
_WIDTH_IN, _DPI = 8.0, 100


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, facecolor="white")
    return buffer.getvalue()


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, max_lines=3, placeholder="…")) or text


def render_results_chart(
    tally: Tally, *, question: str, subtitle: str = "", labels: Sequence[str] = ()
) -> bytes:
    """A bar chart of one poll's counts and percentages (the most chosen answers darker).
    ``labels`` replaces the answer labels on the axis (e.g. ``1 · not at all`` for a scale)."""
    labels = [_wrap(label, 28) for label in (labels or tally.labels)]
    counts = list(tally.counts)
    pcts = tally.percent_texts
    rows = len(labels)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_WIDTH_IN, 1.6 + 0.55 * rows), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(rows))
    best = max(counts) if counts else 0
    colours = [TOP if best and c == best else BAR for c in counts]
    axes.barh(positions, counts, color=colours, height=0.62)
    axes.set_yticks(positions, labels, fontsize=12)
    axes.invert_yaxis()  # first answer on top, as on the buttons
    span = max(best, 1)
    axes.set_xlim(0, span * 1.28)
    for y, (count, pct) in enumerate(zip(counts, pcts, strict=True)):
        axes.text(count + span * 0.015, y, f"{count}  ({pct})", va="center", fontsize=12)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    figure.suptitle(_wrap(question, 70), x=0.01, ha="left", fontsize=14, weight="bold")
    if subtitle:
        figure.text(0.01, 0.01, subtitle, fontsize=10, color=MUTED, ha="left", va="bottom")
    figure.tight_layout(rect=(0, 0.05 if subtitle else 0, 1, 1))
    return _png(figure)


async def results_chart(
    tally: Tally, *, question: str, subtitle: str = "", labels: Sequence[str] = ()
) -> bytes:
    """:func:`render_results_chart` in a worker thread."""
    return await asyncio.to_thread(
        render_results_chart, tally, question=question, subtitle=subtitle, labels=labels
    )


def render_trend_chart(
    series: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    *,
    weeks: Sequence[str],
    title: str,
    unit: str,
    limits: tuple[float, float] | None = None,
) -> bytes:
    """Lines of one value per week (e.g. the average of a 1–5 scale, or % answering yes),
    one line per recurring question; ``series`` is ``[(name, [(week label, value), …]), …]``
    and ``weeks`` every week label in order. A week without a value (fewer than k answered)
    breaks the line instead of being bridged, so no value is implied for it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_WIDTH_IN, 4.2), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    markers = "osD^v<>"
    weeks = list(weeks)
    for index, (name, points) in enumerate(series):
        values = dict(points)
        ys = [values.get(week, math.nan) for week in weeks]
        axes.plot(
            range(len(weeks)),
            ys,
            marker=markers[index % len(markers)],
            linewidth=2,
            label=_wrap(name, 50),
        )
    axes.set_xticks(range(len(weeks)), [f"week of\n{w}" for w in weeks], fontsize=10)
    if limits is not None:
        low, high = limits
        pad = (high - low) * 0.05
        axes.set_ylim(low - pad, high + pad)
    axes.set_ylabel(unit, fontsize=11)
    axes.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_title(title, fontsize=14, weight="bold", loc="left")
    axes.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, frameon=False)
    figure.tight_layout()
    return _png(figure)


async def trend_chart(
    series: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    *,
    weeks: Sequence[str],
    title: str,
    unit: str,
    limits: tuple[float, float] | None = None,
) -> bytes:
    """:func:`render_trend_chart` in a worker thread."""
    return await asyncio.to_thread(
        render_trend_chart, series, weeks=weeks, title=title, unit=unit, limits=limits
    )
