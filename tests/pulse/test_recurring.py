"""Weekly pulses from templates, closing before the next one, and the trend in `team`."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.kernel.clock import FakeClock
from bot.kernel.effects import Effect, Post, Update
from bot.kernel.ui import Image
from tests.pulse.support import PulseHarness, answer_button, replies, text_of
from tests.support.harness import messages

SCHEDULE = "/crossfade pulse schedule weekly fri 15:00 workload"


def polls_posted(effects: list[Effect]) -> list[Post]:
    return [e for e in effects if isinstance(e, Post) and e.message.buttons]


async def answer_week(h: PulseHarness, post: Post, labels: list[str], week: int) -> None:
    for i, label in enumerate(labels):
        effects = await h.press(f"w{week}-p{i}", answer_button([post], label))
        assert "is in" in replies(effects)


async def test_only_admins_schedule_and_bad_input_is_explained(h: PulseHarness) -> None:
    assert "Only team admins" in replies(await h.command("alice", SCHEDULE))
    for text, expected in (
        ("pulse schedule weekly funday 15:00 workload", "I don't know the day"),
        ("pulse schedule weekly mon-fri 15:00 workload", "Pick one day"),
        ("pulse schedule weekly fri 25:00 workload", "isn't a time of day"),
        ("pulse schedule weekly fri 15:00 nonsense", "There is no template “nonsense”"),
        ("pulse schedule weekly fri", "Schedule a weekly pulse like this"),
        ("pulse schedule daily 15:00 workload", "Recurring pulses are weekly"),
        ("pulse schedule weekly fri 15:00 workload closes 8d", "closes before the next one"),
        ("pulse schedule off 9", "no active weekly pulse #9"),
    ):
        assert expected in replies(await h.command("you", f"/crossfade {text}")), text
    assert "No weekly pulses yet" in replies(await h.command("you", "/crossfade pulse schedule"))


async def test_a_weekly_pulse_posts_every_week_and_closes_before_the_next(
    h: PulseHarness, clock: FakeClock
) -> None:
    confirmation = replies(await h.command("you", SCHEDULE))
    assert "every Friday at 15:00 (UTC)" in confirmation
    assert "Is your workload sustainable?" in confirmation
    assert "Fri 6 Mar, 15:00" in confirmation  # the first one
    assert "already scheduled" in replies(await h.command("you", SCHEDULE))
    listing = replies(await h.command("alice", "/crossfade pulse schedule"))
    assert "every Friday at 15:00 (UTC)" in listing and "next Fri 6 Mar, 15:00" in listing

    first = await h.advance_to(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))
    (post,) = polls_posted(first)
    assert "weekly" in text_of([post]) and "Is your workload sustainable?" in text_of([post])
    assert [b.label for b in post.message.buttons] == ["1", "2", "3", "4", "5"]
    await answer_week(h, post, ["2", "3", "3", "4", "4"], week=1)

    # It closes an hour before the next one, with the results; then the next one is posted.
    closing = await h.advance_to(datetime(2026, 3, 13, 14, 30, tzinfo=UTC))
    assert "Closed with 5 responses" in text_of([e for e in closing if isinstance(e, Update)])
    assert "3 — 2 (40%)" in text_of(closing)
    assert "average 3.2 of 5" in text_of(closing)
    assert not polls_posted(closing)
    second = await h.advance_to(datetime(2026, 3, 13, 15, 0, tzinfo=UTC))
    (post2,) = polls_posted(second)
    assert "pulse #2" in text_of([post2])

    # Week 2 gets only three answers: it closes hidden.
    await answer_week(h, post2, ["1", "2", "2"], week=2)
    third = await h.advance_to(datetime(2026, 3, 20, 15, 0, tzinfo=UTC))
    assert "2 more answers were needed" in text_of(third)
    (post3,) = polls_posted(third)
    await answer_week(h, post3, ["1", "2", "2", "3", "2", "1"], week=3)
    await h.advance_to(datetime(2026, 3, 27, 15, 0, tzinfo=UTC))

    team = await h.command("alice", "/crossfade team")
    shown = text_of(team)
    assert "Pulse trends" in shown
    assert "Is your workload sustainable?" in shown
    assert "week of 02 Mar: 3.2 of 5 · 5 answers" in shown
    assert "week of 16 Mar: 1.8 of 5 · 6 answers" in shown
    assert "week of 09 Mar" not in shown  # only three answered that week
    assert "1 week not shown: fewer than 5 people answered." in shown
    assert "Down 1.4 since the week of 2 Mar." in shown
    charts = [b for m in messages(team) for b in m.blocks if isinstance(b, Image)]
    assert charts and charts[0].png.startswith(b"\x89PNG")

    # Stopping it: nothing more is posted.
    assert "Stopped weekly pulse #1" in replies(
        await h.command("you", "/crossfade pulse schedule off 1")
    )
    later = await h.advance_to(datetime(2026, 4, 10, 16, 0, tzinfo=UTC))
    assert not polls_posted(later)
    assert "No weekly pulses yet" in replies(await h.command("you", "/crossfade pulse schedule"))


async def test_weekly_pulse_keeps_local_time_across_daylight_saving(
    h: PulseHarness, clock: FakeClock
) -> None:
    await h.command("you", "/crossfade timezone Europe/Berlin")
    await h.command("you", "/crossfade pulse schedule weekly fri 15:00 disconnect")
    # Fri 27 Mar 2026 is still CET (UTC+1); Fri 3 Apr is CEST (UTC+2).
    first = await h.advance_to(datetime(2026, 3, 27, 14, 0, tzinfo=UTC))
    assert len(polls_posted(first)) == 4  # Fridays 6, 13, 20 and 27 March
    post = polls_posted(first)[-1]
    # closes an hour before next Friday 15:00 Berlin time = 12:00 UTC on 3 Apr
    assert "closes Fri 3 Apr, 14:00 (Europe/Berlin)" in text_of([post])
    await answer_week(h, post, ["Yes"] * 5, week=1)
    closing = await h.advance_to(datetime(2026, 4, 3, 12, 0, tzinfo=UTC))
    assert "Yes — 5 (100%)" in text_of(closing)
    nxt = await h.advance_to(datetime(2026, 4, 3, 13, 0, tzinfo=UTC))
    assert polls_posted(nxt)


async def test_no_trend_section_without_template_polls(h: PulseHarness) -> None:
    await h.command("you", '/crossfade pulse ask "Ad hoc?" yesno')
    assert "Pulse trends" not in text_of(await h.command("alice", "/crossfade team"))


async def test_a_template_asked_once_counts_toward_its_trend(
    h: PulseHarness, clock: FakeClock
) -> None:
    effects = await h.command("you", "/crossfade pulse ask self_care closes 1d")
    (post,) = polls_posted(effects)
    await answer_week(h, post, ["Yes", "Yes", "No", "Yes", "No"], week=1)
    await h.advance_to(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    shown = text_of(await h.command("alice", "/crossfade team"))
    assert "Did you have time for self-care this week?" in shown
    assert "60% yes · 5 answers" in shown
