"""Without a connection, Crossfade reads a person's Slack Do Not Disturb schedule once
(`dnd.info` with the bot token, scope `dnd:read`) and proposes matching quiet hours; a
missing scope gets one plain line and no retry storm."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.kernel.clock import FakeClock
from bot.kernel.storage.db import Database
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.rig import SlackRig
from tests.adapters.slack.test_connect import CHATHAM, rig, said
from tests.scheduling.support import play_until

__all__ = ["rig"]


def _dnd(fake: FakeSlack, start: datetime, end: datetime) -> None:
    fake.dnd["U1"] = {
        "next_dnd_start_ts": int(start.timestamp()),
        "next_dnd_end_ts": int(end.timestamp()),
    }


async def test_quiet_hours_matching_slacks_dnd_are_proposed_once(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=CHATHAM))
    _dnd(
        rig.fake,
        datetime(2026, 3, 10, 22, 0, tzinfo=CHATHAM),
        datetime(2026, 3, 11, 7, 0, tzinfo=CHATHAM),
    )
    await rig.command("quiet")
    assert "I'll look at your Slack Do Not Disturb schedule once" in rig.last().text
    await play_until(rig.engine, clock, clock.now() + timedelta(minutes=2))
    reads = rig.fake.calls("dnd.info")
    assert len(reads) == 1 and reads[0]["user"] == "U1" and reads[0].token == "xoxb-test"
    shown = rig.last_with_buttons()
    assert shown is not None
    assert "Your Slack pauses notifications 22:00–07:00 (Pacific/Chatham" in shown.text
    (use,) = [b for b in shown.buttons if b["text"]["text"] == "Use 22:00–07:00"]
    assert [b["text"]["text"] for b in shown.buttons] == ["Use 22:00–07:00", "Keep mine"]
    await rig.press(shown, use)
    assert "Quiet hours set to match Slack: no DMs from 22:00–07:00" in said(rig)
    await rig.command("quiet")
    assert "Your quiet hours: 22:00–07:00" in rig.last().text
    assert "Do Not Disturb" not in rig.last().text  # asked once, not again
    await play_until(rig.engine, clock, clock.now() + timedelta(hours=3))
    assert len(rig.fake.calls("dnd.info")) == 1


async def test_a_missing_dnd_read_scope_is_one_plain_line_and_no_retry(
    rig: SlackRig, any_db: Database, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=CHATHAM))
    rig.fake.fail("dnd.info", "missing_scope")
    await rig.command("quiet")
    await play_until(rig.engine, clock, clock.now() + timedelta(hours=6))
    assert len(rig.fake.calls("dnd.info")) == 1  # tried once, never again
    lines = [s.text for s in rig.shown() if "I couldn't read your Slack Do Not" in s.text]
    assert len(lines) == 1 and "lacks the `dnd:read` permission" in lines[0]
    await rig.command("quiet")
    await play_until(rig.engine, clock, clock.now() + timedelta(hours=6))
    assert len(rig.fake.calls("dnd.info")) == 1
