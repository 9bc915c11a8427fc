"""The scheduling engine's Slack notifier: rate limits, Retry-After, permanent errors."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select

from adapters.slack.notifier import SlackNotifier, WorkspaceNotifier
from adapters.slack.people import People
from bot.delivery.notifier import DeliveryResult
from bot.kernel.clock import FakeClock
from bot.kernel.effects import Post, SendDirect, Update, UserRef
from bot.kernel.events import MessageRef, Place
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.models.scheduling import OutboxRow, Schedule
from bot.kernel.ui import Button, Buttons, Image, Message, Text
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.rig import SlackRig

HELLO = Message("Hello", (Text("Hello"), Buttons((Button("OK", "x:ok"),))))


class Tokens:
    def __init__(self, token: str | None = "xoxb-test") -> None:
        self.token = token

    async def bot_token(self, workspace_id: str) -> str | None:
        return self.token


class Sleeps:
    """An injected sleep: records how long it was asked to wait, waits for nothing."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self.now = 1000.0

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
async def notifier(db: Database, clock: FakeClock, fake_slack: FakeSlack) -> WorkspaceNotifier:
    session = aiohttp.ClientSession()
    sleeps = Sleeps()
    wildcard = SlackNotifier(
        tokens=Tokens(),
        people=People(db, clock=clock),
        base_url=fake_slack.api_url,
        session=session,
        sleep=sleeps,
        monotonic=sleeps.monotonic,
    )
    lane = wildcard.for_lane("slack:T1")
    assert isinstance(lane, WorkspaceNotifier)
    yield lane  # type: ignore[misc]
    await session.close()


def _dm(user: str = "U1", message: Message = HELLO) -> SendDirect:
    return SendDirect(UserRef("slack", "T1", user), message)


async def test_a_dm_opens_the_conversation_once_and_posts(
    notifier: WorkspaceNotifier, fake_slack: FakeSlack
) -> None:
    first = await notifier.deliver(_dm())
    second = await notifier.deliver(_dm())
    assert first.ok and second.ok
    assert first.message_id and first.message_id != second.message_id
    assert len(fake_slack.calls("conversations.open")) == 1  # the DM channel is cached
    posts = fake_slack.calls("chat.postMessage")
    assert [p["channel"] for p in posts] == ["DU1", "DU1"]
    assert posts[0]["blocks"][1]["type"] == "actions"


async def test_the_lane_is_one_per_workspace() -> None:
    wildcard = SlackNotifier(tokens=Tokens(), people=None, base_url="http://x/")  # type: ignore[arg-type]
    assert wildcard.lane == "slack:*"
    assert wildcard.for_lane("slack:T1") is wildcard.for_lane("slack:T1")
    assert wildcard.for_lane("slack:T2").lane == "slack:T2"
    lane = wildcard.for_lane("slack:T1")
    # several hundred a minute per workspace, in short bursts
    assert 1 <= lane.rate_per_second <= 10  # type: ignore[attr-defined]


async def test_429_is_reported_with_slacks_retry_after(
    notifier: WorkspaceNotifier, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "ratelimited", retry_after=2)
    result = await notifier.deliver(_dm())
    assert result == DeliveryResult.rate_limited(2.0)
    assert (await notifier.deliver(_dm())).ok


@pytest.mark.parametrize(
    ("error", "status"),
    [
        ("user_not_found", "blocked"),
        ("cannot_dm_bot", "blocked"),
        ("user_disabled", "blocked"),
        ("invalid_auth", "uninstalled"),
        ("token_revoked", "uninstalled"),
        ("internal_error", "transient"),
    ],
)
async def test_dm_errors_are_classified(
    notifier: WorkspaceNotifier, fake_slack: FakeSlack, error: str, status: str
) -> None:
    fake_slack.fail("conversations.open", error)
    result = await notifier.deliver(_dm())
    assert (result.status, result.error) == (status, error)


async def test_account_inactive_for_a_person_blocks_them(
    notifier: WorkspaceNotifier, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "account_inactive")
    result = await notifier.deliver(_dm())
    assert result.status == "blocked"  # auth.test still works: it is the person


async def test_account_inactive_for_the_workspace_is_an_uninstall(
    notifier: WorkspaceNotifier, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("chat.postMessage", "account_inactive")
    fake_slack.fail("auth.test", "account_inactive")
    result = await notifier.deliver(_dm())
    assert result.status == "uninstalled"


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
async def test_a_post_that_can_never_go_is_permanent(
    notifier: WorkspaceNotifier, fake_slack: FakeSlack, error: str
) -> None:
    fake_slack.fail("chat.postMessage", error)
    result = await notifier.deliver(Post(Place.channel("C9"), HELLO))
    assert (result.status, result.error) == ("permanent", error)


async def test_no_installation_is_an_uninstall(db: Database, clock: FakeClock) -> None:
    lane = SlackNotifier(
        tokens=Tokens(None), people=People(db, clock=clock), base_url="http://127.0.0.1:9/"
    ).for_lane("slack:T1")
    assert (await lane.deliver(_dm())).status == "uninstalled"


async def test_posts_to_one_channel_are_a_second_apart(
    notifier: WorkspaceNotifier, fake_slack: FakeSlack
) -> None:
    sleeps = notifier.sleep
    for _ in range(3):
        assert (await notifier.deliver(Post(Place.channel("C1"), HELLO))).ok
    assert (await notifier.deliver(Post(Place.channel("C2"), HELLO))).ok
    asked = sleeps.asked  # type: ignore[attr-defined]
    assert len(asked) == 2 and all(0.9 <= s <= 1.0 for s in asked)


async def test_updates_and_images(notifier: WorkspaceNotifier, fake_slack: FakeSlack) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    chart = Message("Results", (Text("Results"), Image(png, "Results chart", "results.png")))
    sent = await notifier.deliver(Post(Place.channel("C1"), chart))
    assert sent.ok
    complete = fake_slack.calls("files.completeUploadExternal")
    assert complete and complete[0]["channel_id"] == "C1"
    assert fake_slack.uploads and next(iter(fake_slack.uploads.values())) == png
    updated = await notifier.deliver(
        Update(MessageRef(Place.channel("C1"), sent.message_id), HELLO)
    )
    assert updated.ok
    assert fake_slack.calls("chat.update")[0]["ts"] == sent.message_id


async def test_a_failed_upload_does_not_resend_the_message(
    notifier: WorkspaceNotifier, fake_slack: FakeSlack
) -> None:
    chart = Message("Results", (Image(b"\x89PNG", "chart"),))
    fake_slack.fail("files.getUploadURLExternal", "internal_error")
    assert (await notifier.deliver(Post(Place.channel("C1"), chart))).ok
    assert len(fake_slack.calls("chat.postMessage")) == 1


# --- through the scheduling engine -------------------------------------------------------------


async def _daily_checkin(rig: SlackRig) -> None:
    rig.fake.user("U1", tz="UTC")
    await rig.command("checkin at 09:30", channel="C1")
    rig.fake.clear()


async def test_the_engine_waits_retry_after_then_delivers(rig: SlackRig, clock: FakeClock) -> None:
    await _daily_checkin(rig)
    clock.advance(timedelta(minutes=31))
    rig.fake.fail("chat.postMessage", "ratelimited", retry_after=2)
    await rig.engine.run_due()
    assert len(rig.fake.calls("chat.postMessage")) == 1  # the 429
    # the lane waits Slack's two seconds: nothing is sent before then
    ready = await rig.engine.next_due_at()
    assert ready is not None and ready - clock.now() == timedelta(seconds=2)
    clock.advance(timedelta(seconds=1))
    await rig.engine.run_due()
    assert len(rig.fake.calls("chat.postMessage")) == 1
    clock.advance(timedelta(seconds=1))
    await rig.engine.run_due()
    posts = rig.fake.calls("chat.postMessage")
    assert len(posts) == 2 and posts[-1].response["ok"]
    async with rig.adapter.db.uow() as uow:
        rows = list(await uow.session.scalars(select(OutboxRow)))
        assert [r.status for r in rows] == ["sent"]


async def test_account_inactive_stops_the_persons_schedules(
    rig: SlackRig, clock: FakeClock
) -> None:
    await _daily_checkin(rig)
    clock.advance(timedelta(minutes=31))
    rig.fake.fail("chat.postMessage", "account_inactive")
    await rig.engine.run_due()
    async with rig.adapter.db.uow() as uow:
        member = await uow.session.scalar(select(Member).where(Member.platform_user_id == "U1"))
        assert member is not None and member.dm_blocked
        schedules = list(await uow.session.scalars(select(Schedule)))
        mine = [s for s in schedules if s.member_id == member.id]
        assert mine and all(s.stopped == "dm_blocked" and s.next_due_at is None for s in mine)
        team = await uow.session.scalar(select(Team).where(Team.workspace_id == "T1"))
        assert team is not None and team.active  # one person, not the workspace
    # and nothing more is sent to them, however long we wait
    rig.fake.clear()
    clock.advance(timedelta(days=3))
    await rig.engine.run_due()
    assert rig.fake.calls("chat.postMessage") == []


async def test_an_uninstalled_workspace_gets_no_more_deliveries(
    rig: SlackRig, clock: FakeClock
) -> None:
    from tests.adapters.slack.rig import fixture

    await _daily_checkin(rig)
    await rig.event(fixture("app_uninstalled"))
    rig.fake.clear()
    clock.advance(timedelta(days=2))
    await rig.engine.run_due()
    assert rig.fake.calls("chat.postMessage") == []


async def test_a_lost_answer_is_looked_up_not_resent(rig: SlackRig, clock: FakeClock) -> None:
    """Slack keeps the DM but the connection drops before the answer: before sending the
    uncertain row again, the sender finds it in the DM's history by its metadata."""
    await _daily_checkin(rig)
    clock.advance(timedelta(minutes=31))
    rig.fake.lose_responses = 1
    await rig.engine.run_due()
    assert len(rig.fake.calls("chat.postMessage")) == 1
    clock.advance(timedelta(seconds=30))  # the uncertain row's short backoff
    await rig.engine.run_due()
    assert len(rig.fake.calls("chat.postMessage")) == 1, "the DM was sent twice"
    (lookup,) = rig.fake.calls("conversations.history")
    assert lookup["channel"] == "DU1" and str(lookup["include_all_metadata"]).lower() in (
        "1",
        "true",
    )
    (kept,) = rig.fake.history["DU1"]
    assert kept["metadata"]["event_type"] == "crossfade_outbox"
    async with rig.adapter.db.uow() as uow:
        (row,) = list(await uow.session.scalars(select(OutboxRow)))
        assert row.status == "sent" and row.platform_message_id == kept["ts"]


async def test_an_uncertain_row_slack_never_kept_is_sent_once(
    rig: SlackRig, clock: FakeClock
) -> None:
    await _daily_checkin(rig)
    clock.advance(timedelta(minutes=31))
    rig.fake.fail("chat.postMessage", "internal_error", status=500)
    await rig.engine.run_due()
    clock.advance(timedelta(seconds=30))
    await rig.engine.run_due()
    assert len(rig.fake.calls("conversations.history")) == 1  # looked up first …
    assert len(rig.fake.history["DU1"]) == 1  # … then sent, once
    async with rig.adapter.db.uow() as uow:
        (row,) = list(await uow.session.scalars(select(OutboxRow)))
        assert row.status == "sent"
