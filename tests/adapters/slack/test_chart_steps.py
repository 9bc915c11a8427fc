"""A DM with a chart is two steps on Slack (the message, then the upload), and the sender
records the first on the outbox row: the chart is uploaded exactly once its message exists,
and the message is never posted again for it — against the fake Slack Web API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.delivery.codec import effect_from_json, effect_to_json
from bot.kernel.clock import FakeClock
from bot.kernel.effects import SendDirect
from bot.kernel.storage.models.scheduling import OutboxRow
from bot.kernel.ui import Image, Message, Text
from tests.adapters.slack.rig import SlackRig

PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 64


async def chart_dm_due(rig: SlackRig, clock: FakeClock) -> None:
    """A daily check-in falls due; its queued DM is given a chart (what a pulse result or
    a weekly summary with a chart looks like in the outbox)."""
    rig.fake.user("U1", tz="UTC")
    await rig.command("checkin at 09:30", channel="C1")
    rig.fake.clear()
    clock.advance(timedelta(minutes=31))
    await rig.engine.dispatch()
    async with rig.adapter.db.uow() as uow:
        (row,) = list(await uow.session.scalars(select(OutboxRow)))
        effect = effect_from_json(row.effect)
        assert isinstance(effect, SendDirect)
        chart = Message("Your week", (Text("Your week"), Image(PNG, "Your week", "week.png")))
        data = effect_to_json(SendDirect(effect.user, chart))
        await uow.session.execute(update(OutboxRow).values(effect=data))
        await uow.commit()


async def outbox_row(rig: SlackRig) -> OutboxRow:
    async with rig.adapter.db.uow() as uow:
        (row,) = list(await uow.session.scalars(select(OutboxRow)))
        await uow.commit()  # keeps the loaded values (a rollback would expire them)
        return row


async def test_a_chart_dm_whose_answer_was_lost_still_gets_its_chart_once(
    rig: SlackRig, clock: FakeClock
) -> None:
    await chart_dm_due(rig, clock)
    rig.fake.lose_responses = 1  # Slack keeps the message; the answer never arrives
    await rig.engine.run_due()
    assert len(rig.fake.calls("chat.postMessage")) == 1
    assert rig.fake.calls("files.completeUploadExternal") == []
    clock.advance(timedelta(seconds=30))  # the uncertain row's short backoff
    await rig.engine.run_due()
    clock.advance(timedelta(minutes=5))
    await rig.engine.run_due()
    assert len(rig.fake.calls("conversations.history")) == 1  # found by its metadata …
    assert len(rig.fake.calls("chat.postMessage")) == 1  # … not posted again …
    (upload,) = rig.fake.calls("files.completeUploadExternal")  # … and its chart uploaded once
    assert upload["channel_id"] == "DU1"
    assert list(rig.fake.uploads.values()) == [PNG]
    row = await outbox_row(rig)
    (kept,) = rig.fake.history["DU1"]
    assert row.status == "sent" and row.platform_message_id == kept["ts"]


async def test_a_failed_chart_upload_is_retried_without_posting_the_message_again(
    rig: SlackRig, clock: FakeClock
) -> None:
    await chart_dm_due(rig, clock)
    rig.fake.fail("files.getUploadURLExternal", "internal_error", status=500)
    await rig.engine.run_due()
    row = await outbox_row(rig)
    (kept,) = rig.fake.history["DU1"]
    assert row.status == "retry" and row.platform_message_id == kept["ts"]  # step 1 recorded
    assert rig.fake.calls("files.completeUploadExternal") == []
    clock.advance(timedelta(minutes=1))
    await rig.engine.run_due()
    clock.advance(timedelta(minutes=5))
    await rig.engine.run_due()
    assert len(rig.fake.calls("chat.postMessage")) == 1
    assert rig.fake.calls("conversations.history") == []  # its message is known: no look-up
    assert len(rig.fake.calls("files.completeUploadExternal")) == 1
    assert list(rig.fake.uploads.values()) == [PNG]
    assert (await outbox_row(rig)).status == "sent"
