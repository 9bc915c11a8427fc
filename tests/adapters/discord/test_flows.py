"""The product's flows end to end through the real discord.py client and the fake Discord.

Written generically — press what the bot showed — so they keep working as wording changes."""

from __future__ import annotations

import re
from typing import Any

from tests.adapters.discord.conftest import DiscordHarness, components_of, is_ephemeral, text_of

QUESTION = re.compile(r"\b\d+\s*/\s*\d+\b")
UPDATE_MESSAGE = 7


def _buttons(message: dict[str, Any]) -> list[str]:
    return [c["label"] for c in components_of(message) if c["type"] == 2]


def _answers(message: dict[str, Any]) -> list[str]:
    return [
        c["label"]
        for c in components_of(message)
        if c["type"] == 2 and c["custom_id"].startswith("quiz:answer")
    ]


async def test_quiz_through_buttons_to_a_result(dc: DiscordHarness) -> None:
    dc.person("ana")
    record = await dc.run("ana", "quiz")
    message = dc.last(record)
    assert is_ephemeral(message)
    questions = 0
    while QUESTION.search(text_of(message)) and _answers(message):
        questions += 1
        assert questions <= 15, "the quiz never ended"
        ids = [c["custom_id"] for c in components_of(message)]
        assert len(ids) == len(set(ids)) and all(len(i) <= 100 for i in ids)
        record = await dc.click("ana", message["id"], _answers(message)[0])
        # the question turns into the next one in place: "update message"
        assert record.callback_type == UPDATE_MESSAGE
        assert record.message_ids[-1] == message["id"]
        message = dc.last(record)
    assert questions >= 8
    assert "result" in text_of(message).lower()
    assert "went wrong" not in text_of(message)


async def test_pulse_created_in_a_modal_and_answered_by_several_members(
    dc: DiscordHarness,
) -> None:
    dc.person("lead", admin=True)
    opened = await dc.run("lead", "pulse")
    assert opened.callback_type == 9 and opened.modal is not None  # a modal, at once
    fields = {c["component"]["custom_id"]: c["component"] for c in opened.modal["components"]}
    assert "question" in fields
    assert all(c["type"] == 18 for c in opened.modal["components"])  # labelled inputs

    # Discord closes a modal on submit: a mistake comes back as a private message.
    bad = await dc.submit("lead", opened, {"question": "", "kind": "scale"})
    assert is_ephemeral(dc.last(bad)) and "question" in dc.said(bad).lower()
    assert not dc.public()

    values = {"question": "Is your workload sustainable?", "kind": "yesno", "closes": "2d"}
    good = await dc.submit("lead", opened, values)
    assert is_ephemeral(dc.last(good))  # the creator is told privately
    (poll,) = dc.public()
    assert not is_ephemeral(poll) and "workload" in text_of(poll)
    labels = _buttons(poll)
    assert labels

    voters = [dc.person(f"member{n}") and f"member{n}" for n in range(5)]
    for n, name in enumerate(voters):
        record = await dc.click(name, poll["id"], labels[n % len(labels)])
        assert record.callback_type in (4, UPDATE_MESSAGE)
        assert not record.late
    poll = dc.message(poll["id"])
    assert "5" in text_of(poll)  # "5 responses so far"
    assert "went wrong" not in text_of(poll)

    before = dc.message(poll["id"])["edited_timestamp"]
    again = await dc.click("member0", poll["id"], labels[0])
    assert is_ephemeral(dc.last(again))  # refused privately …
    assert dc.message(poll["id"])["edited_timestamp"] == before  # … and nothing changed


async def test_checkin_through_buttons_and_a_note_form(dc: DiscordHarness) -> None:
    dc.person("ana")
    record = await dc.run("ana", "checkin")
    message = dc.last(record)
    answered = 0
    while answered < 10:
        choices = [
            c["label"]
            for c in components_of(message)
            if c["type"] == 2 and c["custom_id"].startswith("checkin:a")
        ]
        if not choices:
            break
        record = await dc.click("ana", message["id"], choices[-1])
        answered += 1
        message = dc.last(record)
    assert answered >= 5
    assert "went wrong" not in text_of(message)
    notes = [c for c in components_of(message) if c["custom_id"].startswith("checkin:note")]
    if notes:
        opened = await dc.click("ana", message["id"], notes[0]["label"])
        assert opened.callback_type == 9 and opened.modal is not None
        (field,) = [c["component"]["custom_id"] for c in opened.modal["components"]][:1]
        saved = await dc.submit("ana", opened, {field: "Long day, good walk"})
        assert "went wrong" not in dc.said(saved)


async def test_a_choice_that_did_not_fit_as_a_button_works_from_the_more_menu(
    dc: DiscordHarness, monkeypatch: Any
) -> None:
    from bot.domain.zones import search_zones
    from bot.kernel.effects import Reply
    from bot.kernel.ui import Button, Buttons, Message, Text

    dc.person("ana")
    zones = [z for z in search_zones("America/", limit=40) if "/" in z][:30]
    assert len(zones) == 30
    many = Buttons(tuple(Button(z.rsplit("/", 1)[-1], "personal:timezone", z) for z in zones))
    real = dc.services.bot.handle

    async def once(event: Any) -> list[Any]:
        monkeypatch.setattr(dc.services.bot, "handle", real)
        return [Reply(Message("Pick", (Text("Pick your zone"), many)))]

    monkeypatch.setattr(dc.services.bot, "handle", once)
    shown = dc.last(await dc.run("ana", "help"))
    (more,) = [c for c in components_of(shown) if c["custom_id"] == "discord:more"]
    last = zones[-1]
    label = last.rsplit("/", 1)[-1]
    assert label not in _buttons(shown) and len(_buttons(shown)) == 20
    assert len(more["options"]) == 10
    chosen = await dc.choose("ana", shown["id"], label)
    assert last in dc.said(chosen)  # the core set the zone that was only in the menu


async def test_a_closed_pulse_posts_its_results_with_a_chart(dc: DiscordHarness) -> None:
    dc.person("lead", admin=True)
    await dc.run("lead", 'pulse ask "Able to disconnect?" yesno')
    (poll,) = dc.public()
    labels = _buttons(poll)
    for n in range(5):
        dc.person(f"voter{n}")
        await dc.click(f"voter{n}", poll["id"], labels[n % 2])
    number = re.search(r"#(\d+)", text_of(poll))
    closed = await dc.run("lead", f"pulse close {number.group(1) if number else '1'}")
    assert "went wrong" not in dc.said(closed)
    results = [m for m in dc.public() if m["id"] != poll["id"]]
    charts = [a for m in results for a in m["attachments"] if a["filename"].endswith(".png")]
    assert charts, [text_of(m) for m in results]
