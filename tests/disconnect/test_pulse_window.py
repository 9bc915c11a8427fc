"""A pulse is posted only inside the asker's working window (strict mode): asked in the
evening it waits for the window's start, the asker is told at once with the time, and a
weekly pulse set for Saturday evening moves to the next workday's start
(examples/pulse_window.txt in the real console)."""

from __future__ import annotations

from pathlib import Path

from tests.support.console import transcript

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "pulse_window.txt"


def test_a_pulse_asked_in_the_evening_waits_for_the_askers_window() -> None:
    out = transcript("--script", str(SCRIPT))
    asked = out.index('[20:15 Tue] you (#general): /crossfade pulse ask "Could you')
    told = out.index("It's 20:15 — after your working day (09:00–17:30)", asked)
    assert (
        "waits until your working window opens: it will be posted to #general on Wed 4 Mar, "
        "09:00 (Europe/Berlin) and close Fri 6 Mar, 09:00 (Europe/Berlin)."
    ) in out[told : told + 400]
    # the template asked the same evening waits too (its own job, not replacing the first)
    assert out.count("Nothing is posted before then.") == 3
    # `pulse list` shows the asker what waits, and when it goes out
    assert (
        "Waiting for your working window\n  • “Could you switch off last weekend?” — posted to "
        "#general on Wed 4 Mar, 09:00 (Europe/Berlin)"
    ) in out
    # gone once posted: the 09:15 list has none; the Wednesday evening one has the new one
    morning = out.index("[09:15 Wed] you (#general): /crossfade pulse list")
    evening = out.index("[20:15 Wed] you (#general): /crossfade pulse list")
    assert "Waiting for your working window" not in out[morning:evening]
    assert (
        "• “Did you answer messages after 18:00 this week?” — posted to #general on Thu 5 "
        in (out[evening:])
    )
    # the kind chosen by button in the evening: the question message says it waits
    assert "(#general)\n  Waiting for your window.\n" in out
    # nothing reaches the channel in the evening: the first channel post is at 09:00 Wed
    first_post = out.index("bot → #general")
    assert out[first_post - 12 : first_post].strip() == "[09:00 Wed]"
    assert out.count("bot → #general") == 2  # the Thursday one is not yet due
    assert "closes Fri 6 Mar, 09:00 (Europe/Berlin)" in out[first_post:]
    assert "#1 Could you switch off last weekend? — open in #general" in out
    # the weekly pulse moves into the window, and the asker is told so
    assert "every Monday at 09:00 (Europe/Berlin)" in out
    assert (
        "Saturday 20:00 is outside your working window (09:00–17:30); Crossfade keeps "
        "evenings and days off free, so it posts on Mondays at 09:00 instead."
    ) in out
