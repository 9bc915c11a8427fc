"""The console transcript of examples/disconnect.txt: the working window, a check-in outside
it, `next` with its reasons, an early start, the by-choice tap and the team share at and
below k, the works-council report and the console's one line about what it cannot do."""

from __future__ import annotations

from pathlib import Path

from tests.support.console import transcript

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "disconnect.txt"


def test_the_disconnect_story_in_the_real_console() -> None:
    out = transcript("--script", str(SCRIPT))
    # the working window and the check-in question with its two answers
    assert "Your working window: 08:30–17:00 on Mon–Fri, Europe/Berlin." in out
    assert (
        "19:00 is after your working day (08:30–17:00); Crossfade keeps evenings free. "
        "Send it anyway?\n  [1] Yes, my choice  [2] Move it to 16:45"
    ) in out
    assert "Daily check-in set: 16:45 your time" in out
    # next: local times, and why the rest will not come
    assert "Next 7 days (Europe/Berlin; working window 08:30–17:00; strict mode on)" in out
    assert "16:45 daily check-in — not coming: you're away" in out
    assert "17:00 log-off reminder — not coming: weekend" in out
    # the early start
    assert "Early start noted at 07:45: today's window is 07:45–17:00 (9h15)." in out
    # working late, the tap, the nudge that differs, and `me`
    assert "was working late today your choice, or did you need to?" in out
    assert "Noted: you needed to. 💡 *Set boundaries*" not in out  # rendered, not raw
    assert "Noted: you needed to. 💡 Set boundaries" in out
    assert "Noted: your choice. No nagging about evenings you choose" in out
    assert "Late evenings in the last 4 weeks: 1 — 0 your choice, 1 needed to" in out
    # the team share below k (2 of 3), then at k
    below = out.index("2 people have answered this week so far")
    at_k = out.index("This week: 67% of late evenings were marked “needed to”")
    assert below < at_k
    assert "1 more needed" in out[below : below + 200]
    # the report: counts only
    assert "Crossfade's direct messages in the last 4 weeks: 6." in out  # Mon and Tue, 3 each
    assert "outside, unasked: 0" in out
    # the norm in the settings and the console's one line
    assert "The console has no status or notifications to switch off" in out
