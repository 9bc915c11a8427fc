"""No differencing: the team's quiz view moves only when at least k distinct people's
results changed since it last moved, so two consecutive views never reveal one person."""

from __future__ import annotations

from bot.kernel.app import Bot
from tests.quiz.support import BALANCE, CROSSFADE, INTEGRATION, take_quiz
from tests.support.harness import Harness, button, text_of

FIRST = [("p1", BALANCE), ("p2", BALANCE), ("p3", CROSSFADE), ("p4", INTEGRATION), ("p5", BALANCE)]


async def view(h: Harness) -> str:
    text = text_of(await h.command("reader", "/crossfade team"))
    return text[text.index("Balance or integration?") :]


async def test_one_more_result_does_not_move_the_view_k_more_do(bot: Bot) -> None:
    h = Harness(bot)  # the team's k is 5
    for name, sheet in FIRST:
        await take_quiz(h, name, sheet)
    first = await view(h)
    assert "5 people have taken the quiz" in first and "Balance: 3 (60%)" in first

    # One newcomer: the view stays exactly as it was (their result cannot be read off it).
    await take_quiz(h, "p6", INTEGRATION)
    assert await view(h) == first
    # One person retaking the quiz again and again is still one person.
    for sheet in (CROSSFADE, INTEGRATION, CROSSFADE, INTEGRATION):
        await take_quiz(h, "p1", sheet)
    assert await view(h) == first
    # `forget` counts as one change, and does not move the view either.
    asked = await h.command("p2", "/crossfade forget")
    await h.press("p2", button(asked, "Delete everything"))
    assert await view(h) == first
    # Two more people: now 5 distinct people changed (p6, p1, p2, p7, p8): a new version.
    await take_quiz(h, "p7", CROSSFADE)
    assert await view(h) == first
    await take_quiz(h, "p8", CROSSFADE)
    second = await view(h)
    assert second != first
    # p1 integration, p2 gone, p3 crossfade, p4 integration, p5 balance, p6 integration,
    # p7 and p8 crossfade
    assert "7 people have taken the quiz" in second
    assert "Balance: 1 (14%)" in second and "Crossfade: 3 (43%)" in second
    assert "Integration: 3 (43%)" in second
