"""The pulse examples as a person runs them: `crossfade console --script` in a subprocess."""

from __future__ import annotations

from pathlib import Path

from tests.support.console import transcript

ROOT = Path(__file__).resolve().parents[2]


def run(script: Path) -> str:
    return transcript("--script", str(script))


def test_ask_answer_twice_advance_and_see_results_with_the_image() -> None:
    out = run(ROOT / "examples" / "pulse.txt")
    # asked, posted to the channel with buttons and a count only
    assert "[09:00 Mon] bot → #general\n  Anonymous pulse #1 · asked by you" in out
    assert "[1] 1  [2] 2  [3] 3  [4] 4  [5] 5" in out
    # several people answer; each is confirmed privately; the post only counts
    for person in ("alice", "bob", "carol", "dave", "erin"):
        assert (
            f"bot → {person} (only you, #general)\n  Thanks — your answer to pulse #1 is in" in out
        )
    assert "5 responses so far" in out
    # the second press is refused
    assert (
        "alice pressed [2] on m1\n[09:00 Mon] bot → alice (only you, #general)\n"
        "  You have already answered — answers are final so that they can stay anonymous."
    ) in out
    # while open, no results
    assert "Pulse #1 is still open: 4 responses so far" in out
    before_deadline = out.split("-- advanced 2d")[0].split("[09:00 Wed]")[0]
    assert "Results of anonymous pulse #1" not in before_deadline
    # at the deadline: the post is closed, the results are posted with the chart
    assert "[09:00 Wed] bot updated m1 (#general)" in out
    assert "Closed with 5 responses — results below." in out
    assert "[09:00 Wed] bot → #general\n  Results of anonymous pulse #1" in out
    assert "4 — 2 (40%)" in out and "average 3.6 of 5" in out
    assert "[image: Bar chart of pulse #1:" in out and "bytes]" in out
    # the second poll had four answers: only how many more were needed
    assert "Results stay hidden: 1 more answer was needed." in out
    second = out.split("Too many meetings this week?")[-1]
    assert "Yes —" not in second and "[image:" not in second
    # the form: an error inside the form, then the poll
    assert "options: A poll needs at least 2 options" in out
    assert "[1] Pizza  [2] Sushi  [3] Salad" in out


def test_weekly_pulses_and_the_trend_in_team() -> None:
    out = run(ROOT / "examples" / "pulse_weekly.txt")
    assert "Scheduled weekly pulse #1: every Friday at 15:00 (UTC)" in out
    assert "[15:00 Fri] bot → #general\n  Anonymous pulse #1 · weekly" in out
    assert "[14:00 Fri] bot → #general\n  Results of anonymous pulse #1" in out
    assert "Anonymous pulse #3 · weekly" in out
    trend = out.split("/crossfade team")[-1]
    assert "Pulse trends" in trend
    assert "week of 02 Mar: 2.7 of 5 · 3 answers" in trend
    assert "week of 16 Mar: 1.5 of 5 · 4 answers" in trend
    assert "week of 09 Mar" not in trend
    assert "[image: Trend by week:" in trend
    assert "Stopped weekly pulse #1" in out
