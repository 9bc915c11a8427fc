"""The Slack server attacked from outside: floods of unsigned requests with made-up kinds,
replayed signed requests, malformed headers, a demoted admin, the health check with a
broken database, the install page, and ``/metrics`` behind a token or on its own port."""

from __future__ import annotations

import asyncio
import random
import socket
import string
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from adapters.slack.models import SeenSignature, SlackOAuthState
from bot.features.pulse.models import PulsePoll
from bot.kernel.clock import FakeClock
from bot.kernel.events import TeamKey
from bot.kernel.storage.db import Database
from bot.kernel.storage.repositories import Teams
from tests.adapters.slack.conftest import running_rig
from tests.adapters.slack.fake_slack import FakeSlack, Workspace
from tests.adapters.slack.rig import SlackRig, command_body, signed_headers

FORM = "application/x-www-form-urlencoded"


async def _count(db: Database, model: Any) -> int:
    async with db.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


async def _series(rig: SlackRig) -> list[str]:
    async with rig.http.get(f"{rig.url}/metrics") as response:
        text = await response.text()
    return sorted(
        line.rsplit(" ", 1)[0] for line in text.splitlines() if line and not line.startswith("#")
    )


def _junk(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(string.printable) for _ in range(rng.randint(1, size)))


async def test_a_flood_of_unsigned_requests_leaves_the_metrics_series_unchanged(
    rig: SlackRig,
) -> None:
    rng = random.Random(13)
    # one refused request first: its series exist from then on
    async with rig.http.post(f"{rig.url}/slack/events", data="command=/x") as response:
        assert response.status == 401
    before = await _series(rig)
    semaphore = asyncio.Semaphore(64)
    statuses: dict[int, int] = {}

    async def attack(n: int) -> None:
        if n % 2:
            data = {"command": "/" + _junk(rng, 40), "text": _junk(rng, 40)}
            body, kind = aiohttp.FormData(data)(), FORM
        else:
            made_up = _junk(rng, 40).replace('"', "").replace("\\", "")
            body, kind = f'{{"type": "{made_up}"}}', "application/json"
        headers = {"Content-Type": kind}
        if n % 3 == 0:  # a signature that is no signature
            headers |= {
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=" + "0" * 64,
            }
        async with (
            semaphore,
            rig.http.post(f"{rig.url}/slack/events", data=body, headers=headers) as r,
        ):
            statuses[r.status] = statuses.get(r.status, 0) + 1

    await asyncio.gather(*(attack(n) for n in range(20_000)))
    assert set(statuses) == {401}, statuses
    assert await _series(rig) == before
    assert rig.fake.recorded == []


async def test_a_replayed_signed_command_is_refused_and_creates_nothing(
    any_rig: SlackRig, any_db: Database
) -> None:
    rig = any_rig
    rig.fake.user("U1", is_admin=True)
    body = command_body('pulse ask "Is the load fair?" yesno', response_url=rig.response_url("C1"))
    headers = signed_headers(body, content_type=FORM)
    first = await rig.post(body, headers)
    await rig.settle()
    assert first.status == 200
    assert await _count(any_db, PulsePoll) == 1
    for _ in range(3):
        again = await rig.post(body, headers)
        assert again.status == 401
    await rig.settle()
    assert await _count(any_db, PulsePoll) == 1
    # what is kept: a hash and a coarse expiry, nothing about the person or the request
    async with any_db.uow() as uow:
        (seen,) = (
            await uow.session.execute(select(SeenSignature.digest, SeenSignature.expires))
        ).all()
    digest, expires = seen
    assert len(digest) == 64 and headers["X-Slack-Signature"][3:] != digest
    assert expires % 300 == 0
    assert expires >= int(headers["X-Slack-Request-Timestamp"]) + 300


async def test_a_demoted_admin_is_refused_at_once(rig: SlackRig, db: Database) -> None:
    rig.fake.user("U1", is_admin=True)
    await rig.command("settings k 7")
    rig.fake.user("U1", is_admin=False)  # demoted in Slack a minute later
    await rig.command("settings k 9")
    assert "admin" in rig.fake.responses[-1]["text"].lower()
    async with db.uow() as uow:
        team = await Teams(uow.session).get(TeamKey("slack", "T1"))
        assert team is not None and team.k_threshold == 7
    # promoted again: allowed at once too
    rig.fake.user("U1", is_admin=True)
    await rig.command("settings k 9")
    async with db.uow() as uow:
        team = await Teams(uow.session).get(TeamKey("slack", "T1"))
        assert team is not None and team.k_threshold == 9


async def test_a_failing_users_info_grants_no_rights(rig: SlackRig, db: Database) -> None:
    rig.fake.user("U1", is_admin=True)
    await rig.command("settings k 7")
    rig.fake.fail("users.info", "ratelimited")
    await rig.command("settings k 8")
    async with db.uow() as uow:
        team = await Teams(uow.session).get(TeamKey("slack", "T1"))
        assert team is not None and team.k_threshold == 7


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "a" * 64},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=" + "a" * 64},
        {"X-Slack-Request-Timestamp": "９９９", "X-Slack-Signature": "v0=" + "a" * 64},
        {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=" + "a" * 64},
        {"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=" + "a" * 64},
        {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": "v1=zz"},
        {"X-Slack-Request-Timestamp": "1700000000"},
        {"X-Slack-Signature": "v0=" + "a" * 64},
    ],
)
async def test_malformed_headers_get_400_or_401_never_500(
    rig: SlackRig, headers: dict[str, str]
) -> None:
    body = command_body("help")
    sent = await rig.post(body, {"Content-Type": FORM, **headers})
    assert sent.status in (400, 401)
    assert "Traceback" not in sent.text and "Error" not in sent.text


async def test_a_body_that_is_not_utf8_is_refused(rig: SlackRig) -> None:
    headers = {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": str(int(time.time())),
        "X-Slack-Signature": "v0=" + "a" * 64,
    }
    async with rig.http.post(f"{rig.url}/slack/events", data=b"\xff\xfe\x00", headers=headers) as r:
        assert r.status in (400, 401)


async def test_healthz_says_unavailable_without_detail(
    rig: SlackRig, caplog: pytest.LogCaptureFixture
) -> None:
    secret = 'password authentication failed for user "crossfade" at db.internal:5432'

    class Broken:
        def connect(self) -> Any:
            raise OSError(secret)

    engine = rig.adapter.db.engine
    rig.adapter.db.engine = Broken()  # type: ignore[assignment]
    try:
        async with rig.http.get(f"{rig.url}/healthz") as response:
            assert response.status == 503
            assert await response.text() == "unavailable"
    finally:
        rig.adapter.db.engine = engine
    assert secret in caplog.text  # the operator still learns why, from the log


@pytest.fixture
async def multi(db: Database, clock: FakeClock, fake_slack: FakeSlack) -> AsyncIterator[SlackRig]:
    fake_slack.tokens["xoxb-T2-token"] = Workspace("T2", "UBOT2", "B2", "Second Workspace")
    async with running_rig(
        db, clock, fake_slack, SLACK_BOT_TOKEN="", SLACK_CLIENT_ID="1.2", SLACK_CLIENT_SECRET="s"
    ) as rig:
        yield rig


async def test_the_install_page_issues_states_within_a_rate(multi: SlackRig, db: Database) -> None:
    statuses = []
    for _ in range(30):
        async with multi.http.get(f"{multi.url}/slack/install") as page:
            statuses.append(page.status)
    assert statuses[:10] == [200] * 10
    assert set(statuses[10:]) == {429}
    assert await _count(db, SlackOAuthState) == 10
    # the redirect page never issues one
    async with multi.http.get(f"{multi.url}/slack/oauth_redirect", params={"state": "x"}) as r:
        assert r.status != 500
    assert await _count(db, SlackOAuthState) == 10


async def test_expired_states_are_purged(multi: SlackRig, db: Database, clock: FakeClock) -> None:
    async with multi.http.get(f"{multi.url}/slack/install") as page:
        assert page.status == 200
    clock.advance(timedelta(minutes=11))
    async with multi.http.get(f"{multi.url}/slack/install") as page:
        assert page.status == 200
    assert await _count(db, SlackOAuthState) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_metrics_behind_a_token(
    db: Database, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    async with running_rig(db, clock, fake_slack, METRICS_TOKEN="s3cret") as rig:
        async with rig.http.get(f"{rig.url}/metrics") as response:
            assert response.status == 401
        headers = {"Authorization": "Bearer s3cret"}
        async with rig.http.get(f"{rig.url}/metrics", headers=headers) as response:
            assert response.status == 200 and "crossfade_" in await response.text()


async def test_metrics_on_a_port_of_their_own(
    db: Database, clock: FakeClock, fake_slack: FakeSlack
) -> None:
    port = _free_port()
    async with running_rig(
        db, clock, fake_slack, METRICS_PORT=port, METRICS_HOST="127.0.0.1"
    ) as rig:
        async with rig.http.get(f"{rig.url}/metrics") as response:
            assert response.status == 404  # not on the public port
        async with rig.http.get(f"http://127.0.0.1:{port}/metrics") as response:
            assert response.status == 200 and "crossfade_" in await response.text()
        async with rig.http.get(f"http://127.0.0.1:{port}/slack/events") as response:
            assert response.status == 404  # and only metrics there
