"""The product's flows end to end through the real Slack app: signed requests in, the
fake Web API's recorded calls out. Written generically (press whatever the app showed),
so they keep working as the flows' wording changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.kernel.clock import FakeClock
from tests.adapters.slack.rig import Shown, SlackRig


def _labels(shown: Shown) -> list[str]:
    return [b["text"]["text"] for b in shown.buttons]


async def test_quiz_through_buttons_to_a_result(rig: SlackRig) -> None:
    sent = await rig.command("quiz")
    assert sent.status == 200 and sent.text == ""
    questions = 0
    shown = rig.last_with_buttons()
    while shown is not None and re.search(r"\d+/\d+", shown.text.split("\n")[0]):
        questions += 1
        assert questions <= 15, "the quiz never ended"
        assert shown.ephemeral  # a private answer in the channel
        # every button of one message has its own action_id; the value is the routing key
        ids = [b["action_id"] for b in shown.buttons]
        assert len(ids) == len(set(ids))
        answers = [b for b in shown.buttons if b["text"]["text"] not in ("Back", "Cancel")]
        await rig.press(shown, answers[0])
        shown = rig.last_with_buttons()
    assert questions >= 8
    assert shown is not None and "result" in shown.text.lower()
    # each answer replaced the previous question in place (response_url replace_original)
    replaced = [c for c in rig.fake.responses if c.get("replace_original")]
    assert len(replaced) >= questions - 1
    # users.info once for the whole quiz: the person's facts are cached
    assert len(rig.fake.calls("users.info")) == 1


async def test_quiz_result_button_sets_up_the_reminder(rig: SlackRig) -> None:
    await rig.command("quiz")
    shown = rig.last_with_buttons()
    while shown is not None and re.search(r"\d+/\d+", shown.text.split("\n")[0]):
        answers = [b for b in shown.buttons if b["text"]["text"] not in ("Back", "Cancel")]
        await rig.press(shown, answers[0])
        shown = rig.last_with_buttons()
    assert shown is not None
    setup = shown.buttons[0]
    await rig.press(shown, setup)
    after = rig.last()
    # whatever the set-up says, it answered (a message or a form), and never an apology
    assert rig.fake.calls("views.open") or after.call is not shown.call
    assert "went wrong" not in after.text


@pytest.mark.parametrize("voters", [5])
async def test_pulse_created_in_a_modal_and_answered_by_several_people(
    any_rig: SlackRig, voters: int
) -> None:
    rig = any_rig
    rig.fake.user("U1", is_admin=True)
    await rig.command("pulse", channel="C1")
    opened = rig.fake.calls("views.open")
    assert len(opened) == 1
    assert opened[0]["trigger_id"].startswith("trigger-")
    modal = rig.modal()
    fields = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    assert "question" in fields

    # A mistake stays inside the modal, beside its field.
    bad = await rig.submit(modal, {"question": "", "kind": "scale"})
    assert bad.status == 200
    assert '"response_action":"errors"' in bad.text.replace(" ", "")
    assert "question" in bad.text
    assert not rig.fake.calls("chat.postMessage")

    values = {name: "" for name in fields}
    values.update(question="Is your workload sustainable?")
    kind = fields.get("kind")
    if kind is not None and kind["element"]["type"] == "static_select":
        options = [o["value"] for o in kind["element"]["options"]]
        values["kind"] = "yesno" if "yesno" in options else options[0]
    good = await rig.submit(modal, values)
    assert good.status == 200 and good.text == ""  # the modal closes
    posts = rig.fake.calls("chat.postMessage")
    assert posts and posts[-1]["channel"] == "C1"
    poll = next(s for s in rig.shown() if s.channel == "C1" and not s.ephemeral)
    assert poll.buttons, "the poll was posted without buttons"
    # the person who created it is told privately (the response_url of their command)
    assert rig.fake.responses[-1]["response_type"] == "ephemeral"
    assert "workload" in poll.text

    for n in range(voters):
        user = f"U{100 + n}"
        current = next(s for s in rig.shown() if s.channel == "C1" and s.ts == poll.ts)
        await rig.press(current, current.buttons[n % len(current.buttons)], user=user)
    updates = [c for c in rig.fake.calls("chat.update") if c["ts"] == poll.ts]
    assert len(updates) == voters
    assert str(voters) in updates[-1]["text"] + str(updates[-1]["blocks"])
    # a second vote is refused privately and changes nothing
    current = next(s for s in rig.shown() if s.channel == "C1" and s.ts == poll.ts)
    before = len(rig.fake.calls("chat.update"))
    await rig.press(current, current.buttons[0], user="U100")
    assert len(rig.fake.calls("chat.update")) == before
    assert rig.fake.responses[-1]["response_type"] == "ephemeral"


async def test_pulse_closes_with_results_and_a_chart_uploaded(rig: SlackRig) -> None:
    rig.fake.user("U1", is_admin=True)
    await rig.command('pulse ask "Able to disconnect?" yesno', channel="C1")
    poll = next(s for s in rig.shown() if s.buttons and s.channel == "C1" and not s.ephemeral)
    for n in range(5):
        current = next(s for s in rig.shown() if s.channel == "C1" and s.ts == poll.ts)
        await rig.press(current, current.buttons[n % 2], user=f"U{200 + n}")
    number = re.search(r"#(\d+)", poll.text) or re.search(r"(\d+)", poll.text)
    ident = number.group(1) if number else "1"
    rig.fake.clear()
    await rig.command(f"pulse close {ident}", channel="C1")
    methods = rig.fake.methods()
    assert "chat.postMessage" in methods or "response_url" in methods
    # the results chart went up as a file, through Slack's external upload
    assert "files.getUploadURLExternal" in methods
    assert "upload" in methods
    complete = rig.fake.calls("files.completeUploadExternal")
    assert complete and complete[-1]["channel_id"] == "C1"


async def test_checkin_through_buttons(rig: SlackRig, clock: FakeClock) -> None:
    await rig.command("checkin", channel="C1")
    answered = 0
    shown = rig.last_with_buttons()
    while shown is not None and answered < 10:
        choices = [
            b for b in shown.buttons if "note" not in b["value"] and "redo" not in b["value"]
        ]
        choices = [b for b in choices if b["value"].startswith("checkin:a")]
        if not choices:
            break
        await rig.press(shown, choices[-1])
        answered += 1
        shown = rig.last_with_buttons()
    assert answered >= 5
    assert "went wrong" not in rig.last().text
    # the optional private note is a modal opened from a button
    done = rig.last_with_buttons()
    assert done is not None
    note = next(b for b in done.buttons if b["value"].startswith("checkin:note"))
    await rig.press(done, note)
    modal = rig.modal()
    too_long = await rig.submit(modal, {"note": "x" * 10_000})
    assert "errors" in too_long.text or modal["blocks"][0]["element"]["max_length"] < 10_000
    saved = await rig.submit(modal, {"note": "Long day, good talk with Sam"})
    assert saved.status == 200 and saved.text == ""
    assert "went wrong" not in rig.last().text


async def test_daily_checkin_is_delivered_as_a_dm_by_the_engine(
    rig: SlackRig, clock: FakeClock
) -> None:
    rig.fake.user("U1", tz="UTC")
    await rig.command("checkin at 09:30", channel="C1")
    rig.fake.clear()
    clock.advance(timedelta(minutes=31))
    await rig.engine.run_due()
    posts = rig.fake.calls("chat.postMessage")
    assert posts, rig.fake.methods()
    assert posts[0]["channel"].startswith("D")
    assert rig.fake.calls("conversations.open")
