"""The pulse flow through the core: asking (one line and form), answering, refusing a second
answer, closing (deadline, creator, admin), results at and below k, list, templates."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.kernel.clock import FakeClock
from bot.kernel.effects import FormErrors, OpenForm, Post, Reply, Update
from bot.kernel.events import Action, Place
from tests.pulse.support import (
    PulseHarness,
    answer_button,
    images,
    post_of,
    replies,
    text_of,
    updates,
)

ASK = '/crossfade pulse ask "Is your workload sustainable?" yesno closes 2d'


async def ask_and_answer(h: PulseHarness, answers: dict[str, str], *, ask: str = ASK) -> Post:
    post = post_of(await h.command("you", ask))
    for user, label in answers.items():
        effects = await h.press(user, answer_button([post], label))
        assert "your answer to pulse" in replies(effects)
    return post


# --- asking -------------------------------------------------------------------------------------


async def test_ask_posts_the_poll_to_the_channel_with_a_button_per_answer(h: PulseHarness) -> None:
    effects = await h.command("you", ASK)
    post = post_of(effects)
    assert post.channel.id == "C-general"
    assert post.ref_key
    assert [b.label for b in post.message.buttons] == ["Yes", "No"]
    assert "0 responses so far" in text_of([post])
    assert "Is your workload sustainable?" in text_of([post])
    assert "Posted anonymous pulse #1 to #general" in replies(effects)
    assert "Wed 4 Mar, 09:00" in replies(effects)  # 2 days after Monday 09:00 UTC


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ('pulse ask "How was the week?" scale', ["1", "2", "3", "4", "5"]),
        (
            'pulse ask "Lunch?" options Pizza, Sushi, Fish and chips',
            ["Pizza", "Sushi", "Fish and chips"],
        ),
        (
            'pulse ask "Lunch?" options Pizza Sushi "Fish and chips"',
            ["Pizza", "Sushi", "Fish and chips"],
        ),
        ("pulse ask Are you ok? yesno closes 3h", ["Yes", "No"]),
        ('pulse "Are you ok?" yes/no', ["Yes", "No"]),
        ("pulse ask workload", ["1", "2", "3", "4", "5"]),
    ],
)
async def test_ask_understands_kinds_and_options(
    h: PulseHarness, text: str, labels: list[str]
) -> None:
    post = post_of(await h.command("you", f"/crossfade {text}"))
    assert [b.label for b in post.message.buttons] == labels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('pulse ask ""', "The question is empty"),
        ("pulse ask", "`pulse ask` needs a question and its kind, e.g. `pulse ask"),
        (f'pulse ask "{"x" * 301}" yesno', "the limit is 300"),
        ('pulse ask "Lunch?" options Pizza', "at least 2 options"),
        ('pulse ask "Lunch?" options ' + ",".join(f"o{i}" for i in range(11)), "at most 10"),
        ('pulse ask "Lunch?" options Pizza, pizza', "appears twice"),
        ('pulse ask "Lunch?" options Pizza,,Sushi', "is empty"),
        ('pulse ask "Lunch?" options', "Which options?"),
        ('pulse ask "Q?" yesno Maybe', "takes no options"),
        ('pulse ask "Q?" yesno closes 2026-03-01', "already past"),
        ('pulse ask "Q?" yesno closes 31d', "at most 30 days"),
        ('pulse ask "Q?" yesno closes 2m', "at least 5 minutes"),
        ('pulse ask "Q?" yesno closes whenever', "isn't a deadline I understand"),
        ('pulse ask "Q?" yesno closes', "When should it close?"),
        ('pulse ask "Q?" multiple a,b', "Use `scale`"),
        ('pulse ask "Q? yesno', "A quote is not closed"),
        ("pulse vote", "I don't know `pulse vote`. Try `pulse ask`, `pulse list`"),
        ("pulse tempaltes", "Did you mean `pulse templates`?"),
    ],
)
async def test_bad_polls_get_a_clear_answer_and_nothing_is_posted(
    h: PulseHarness, text: str, expected: str
) -> None:
    effects = await h.command("you", f"/crossfade {text}")
    assert not [e for e in effects if isinstance(e, Post)]
    assert expected in replies(effects)
    listing = await h.command("you", "/crossfade pulse list")
    assert "No pulses yet" in replies(listing)


async def test_the_team_pulse_channel_wins_over_the_channel_asked_in(h: PulseHarness) -> None:
    await h.command("you", "/crossfade settings channel #team-pulse")
    effects = await h.command("you", ASK, place=Place.channel("C-random", "random"))
    assert post_of(effects).channel.id == "team-pulse"
    assert "to #team-pulse" in replies(effects)


async def test_asking_in_a_dm_without_a_pulse_channel_explains_where_polls_go(
    h: PulseHarness,
) -> None:
    effects = await h.command("alice", ASK, place=Place.dm())
    assert "posted to a channel" in replies(effects)


async def test_only_admins_may_ask_when_the_team_says_so(h: PulseHarness) -> None:
    await h.command("you", "/crossfade settings pulses admins")
    refused = await h.command("alice", ASK)
    assert "only admins can start pulses" in replies(refused)
    assert not [e for e in refused if isinstance(e, Post)]
    assert post_of(await h.command("you", ASK))


async def test_numbers_count_per_team(h: PulseHarness) -> None:
    await h.command("you", ASK)
    other = PulseHarness(h.bot, team="T2")
    effects = await other.command("you", ASK)
    assert "pulse #1" in replies(effects)
    again = await h.command("you", ASK)
    assert "pulse #2" in replies(again)


# --- the form -----------------------------------------------------------------------------------


async def test_pulse_alone_opens_a_form_and_checks_each_field(h: PulseHarness) -> None:
    effects = await h.command("you", "/crossfade pulse")
    forms = [e for e in effects if isinstance(e, OpenForm)]
    assert forms
    form = forms[0].form
    assert [f.name for f in form.fields] == ["question", "kind", "options", "closes"]
    assert len(form.title) <= 24  # Slack's modal title limit

    bad = await h.submit(
        "you", form.id, {"question": "", "kind": "options", "options": "a", "closes": "45d"}
    )
    errors = next(e for e in bad if isinstance(e, FormErrors)).errors
    assert set(errors) == {"question", "options", "closes"}
    assert "empty" in errors["question"]
    assert "at least 2" in errors["options"]
    assert "30 days" in errors["closes"]

    good = await h.submit(
        "you",
        form.id,
        {"question": "Lunch?", "kind": "options", "options": "Pizza, Sushi", "closes": "1d"},
    )
    post = post_of(good)
    assert post.channel.id == "C-general"
    assert [b.label for b in post.message.buttons] == ["Pizza", "Sushi"]


async def test_form_without_options_field_for_a_scale(h: PulseHarness) -> None:
    form = next(e for e in await h.command("you", "/crossfade pulse") if isinstance(e, OpenForm))
    effects = await h.submit("you", form.form.id, {"question": "Energy today?", "kind": "scale"})
    assert [b.label for b in post_of(effects).message.buttons] == ["1", "2", "3", "4", "5"]


# --- answering ----------------------------------------------------------------------------------


async def test_an_answer_is_confirmed_privately_and_the_post_only_counts(h: PulseHarness) -> None:
    post = post_of(await h.command("you", ASK))
    effects = await h.press("alice", answer_button([post], "No"))
    confirmation = [e for e in effects if isinstance(e, Reply)]
    assert confirmation and confirmation[0].private
    assert "anonymous and final" in text_of(confirmation)  # type: ignore[arg-type]
    assert "No" not in text_of(confirmation).replace("Nobody", "")  # type: ignore[arg-type]
    (update,) = updates(effects)
    assert "1 response so far" in text_of([update])
    # the channel sees a count, never which answer
    assert "Yes —" not in text_of([update]) and "No —" not in text_of([update])


async def test_a_second_press_is_refused_and_changes_nothing(h: PulseHarness) -> None:
    post = post_of(await h.command("you", ASK))
    await h.press("alice", answer_button([post], "Yes"))
    again = await h.press("alice", answer_button([post], "No"))
    assert (
        "You have already answered — answers are final so that they can stay anonymous."
        in replies(again)
    )
    assert not updates(again)
    listing = await h.command("you", "/crossfade pulse list")
    assert "1 response so far" in replies(listing)


async def test_a_closed_poll_refuses_answers_politely(h: PulseHarness) -> None:
    post = post_of(await h.command("you", ASK))
    await h.command("you", "/crossfade pulse close 1")
    late = await h.press("bob", answer_button([post], "Yes"))
    assert "has closed, so answers are no longer taken" in replies(late)
    assert not updates(late)


async def test_a_stale_or_forged_button_changes_nothing(h: PulseHarness) -> None:
    await h.command("you", ASK)
    for value in ("", "1", "1.x", "1.9", "99.0", "1.0.0"):
        effects = await h.press_raw("alice", "pulse:answer", value)
        assert not updates(effects), value
        assert "nothing was recorded" in replies(effects) or "not one I recognise" in replies(
            effects
        )
    listing = await h.command("you", "/crossfade pulse list")
    assert "0 responses so far" in replies(listing)


async def test_another_team_cannot_answer_or_see_a_poll(h: PulseHarness) -> None:
    post = post_of(await h.command("you", ASK))
    other = PulseHarness(h.bot, team="T2")
    effects = await other.press("mallory", answer_button([post], "Yes"))
    assert "no longer exists" in replies(effects)
    assert "There is no pulse #1" in replies(
        await other.command("you", "/crossfade pulse results 1")
    )


# --- closing and results ------------------------------------------------------------------------


async def test_four_answers_with_k_five_reveal_only_how_many_more_were_needed(
    h: PulseHarness,
) -> None:
    await ask_and_answer(h, {"a": "Yes", "b": "Yes", "c": "No", "d": "Yes"})
    effects = await h.command("you", "/crossfade pulse close 1")
    everything = text_of(effects)
    assert "1 more answer was needed" in everything
    assert not images(effects)
    for leak in ("Yes —", "No —", "75%", "25%", "3 answers", "1 answer "):
        assert leak not in everything
    results = await h.command("d", "/crossfade pulse results 1")
    assert "1 more answer was needed" in replies(results)
    assert not images(results)
    assert "75%" not in replies(results)


async def test_five_answers_with_k_five_reveal_counts_percentages_and_a_chart(
    h: PulseHarness,
) -> None:
    await ask_and_answer(h, {"a": "Yes", "b": "Yes", "c": "No", "d": "Yes", "e": "Yes"})
    effects = await h.command("you", "/crossfade pulse close 1")
    results = [e for e in effects if isinstance(e, Post)]
    assert len(results) == 1 and results[0].channel.id == "C-general"
    shown = text_of(results)  # type: ignore[arg-type]
    assert "Yes — 4 (80%)" in shown and "No — 1 (20%)" in shown
    (chart,) = images(effects)
    assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "Yes — 4 (80%)" in chart.alt
    (closed,) = updates(effects)
    assert "Closed with 5 responses" in text_of([closed])
    assert not closed.message.buttons
    again = await h.command("alice", "/crossfade pulse results 1")
    assert "Yes — 4 (80%)" in replies(again)
    assert images(again)


async def test_a_poll_keeps_the_k_it_was_opened_with(h: PulseHarness) -> None:
    await h.command("you", "/crossfade settings k 6")
    await ask_and_answer(h, {u: "Yes" for u in "abcde"})
    await h.command("you", "/crossfade settings k 3")  # lowering k later reveals nothing
    effects = await h.command("you", "/crossfade pulse close 1")
    assert "1 more answer was needed" in text_of(effects)
    assert not images(effects)


async def test_the_deadline_closes_the_poll_through_the_scheduling_engine(
    h: PulseHarness, clock: FakeClock
) -> None:
    post = await ask_and_answer(h, {u: "No" for u in "abcde"})
    clock.advance(timedelta(days=1))
    assert await h.run_due() == []
    clock.advance(timedelta(days=1))
    delivered = await h.run_due()
    kinds = [type(e).__name__ for e in delivered]
    assert kinds == ["Update", "Post"]
    assert "Closed with 5 responses" in text_of(delivered[:1])
    assert "No — 5 (100%)" in text_of(delivered[1:])
    assert images(delivered)
    # the update goes to the message the poll was posted as
    assert isinstance(delivered[0], Update) and delivered[0].message_ref.id.startswith("msg-")
    late = await h.press("f", answer_button([post], "Yes"))
    assert "has closed" in replies(late)
    assert await h.run_due() == []  # delivered exactly once


async def test_closing_early_by_the_asker_cancels_the_deadline_job(
    h: PulseHarness, clock: FakeClock
) -> None:
    await h.command("alice", ASK)
    assert "Closed pulse #1" in replies(await h.command("alice", "/crossfade pulse close 1"))
    clock.advance(timedelta(days=3))
    assert await h.run_due() == []


async def test_only_the_asker_or_an_admin_may_close_early(h: PulseHarness) -> None:
    await h.command("alice", ASK)
    refused = await h.command("bob", "/crossfade pulse close 1")
    assert "Only the person who asked pulse #1 or a team admin" in replies(refused)
    assert "Closed pulse #1" in replies(await h.command("you", "/crossfade pulse close #1"))
    again = await h.command("alice", "/crossfade pulse close 1")
    assert "already closed" in replies(again)


async def test_an_overdue_poll_closes_on_the_next_interaction(
    h: PulseHarness, clock: FakeClock
) -> None:
    """If the deadline job could not run (the bot was down past the grace window), the next
    pulse command closes the poll instead of leaving it open for ever."""
    await ask_and_answer(h, {u: "Yes" for u in "abcde"})
    clock.advance(timedelta(days=5))
    effects = await h.command("bob", "/crossfade pulse list")
    assert "Yes — 5 (100%)" in text_of(effects)
    assert "closed" in replies(effects)


async def test_a_deadline_missed_while_the_bot_was_down_still_closes_the_poll(
    h: PulseHarness, clock: FakeClock
) -> None:
    """Reminders are never sent late, but a poll's close is: results posted after an outage
    beat a poll that stays open until someone happens to touch it."""
    await ask_and_answer(h, {u: "Yes" for u in "abcde"})
    clock.advance(timedelta(days=5))  # the deadline (2 days) passed while nothing ran
    delivered = await h.run_due()
    assert [type(e).__name__ for e in delivered] == ["Update", "Post"]
    assert "Yes — 5 (100%)" in text_of(delivered[1:])
    assert await h.run_due() == []


async def test_results_of_an_open_poll_say_when_they_come(h: PulseHarness) -> None:
    await ask_and_answer(h, {"a": "Yes"})
    effects = await h.command("bob", "/crossfade pulse results 1")
    assert "still open: 1 response so far" in replies(effects)
    assert "at least 5 people" in replies(effects)
    for bad, expected in (
        ("", "`pulse results` needs a pulse number, e.g. `pulse results 3`"),
        ("x", "isn't a pulse number"),
        ("7", "no pulse #7"),
    ):
        assert expected in replies(await h.command("bob", f"/crossfade pulse results {bad}"))


async def test_list_shows_open_and_closed_polls(h: PulseHarness) -> None:
    await ask_and_answer(h, {u: "Yes" for u in "abcde"})
    await h.command("you", "/crossfade pulse close 1")
    await h.command("you", '/crossfade pulse ask "Second?" yesno')
    listing = replies(await h.command("you", "/crossfade pulse list"))
    assert listing.index("*#2* Second?") < listing.index("*#1* Is your workload")
    assert "open in #general, 0 responses so far" in listing
    assert "closed, 5 responses — `pulse results 1`" in listing


async def test_templates_list_and_ask_from_the_menu(h: PulseHarness) -> None:
    effects = await h.command("alice", "/crossfade pulse templates")
    text = replies(effects)
    for question in (
        "Is your workload sustainable?",
        "Could you disconnect from work after hours this week?",
        "Are your boundaries (working hours, time off) respected?",
        "Did you have time for self-care this week?",
        "Balance, integration or something in between",
    ):
        assert question in text
    reply_message = next(e for e in effects if isinstance(e, Reply)).message
    (menu,) = reply_message.selects
    chosen = await h.bot.handle(
        Action(h.actor("alice"), menu.action, "fit", None, Place.channel("C-general", "general"))
    )
    post = post_of(chosen)
    assert [b.label for b in post.message.buttons][-1] == "Something in between"


async def test_help_lists_the_pulse_command(h: PulseHarness) -> None:
    effects = await h.command("you", "/crossfade help pulse")
    text = replies(effects)
    assert 'pulse ask "Question?" scale|yesno|options a,b,c [closes 2d]' in text
    assert "pulse schedule weekly fri 15:00 TEMPLATE" in text
