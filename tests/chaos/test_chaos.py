"""The chaos suite, short: two platforms (Slack-like with a history look-up, Discord-like
with a nonce), three real instances each on the real PostgreSQL, with a 429 storm, 10 % 5xx,
3 % answers lost, a SIGSTOP of the lane's holder past its lease, a SIGKILL and restart, and
clocks 60 s ahead and behind. Nothing is lost, nothing doubled, the limit is never passed.
``benchmarks/chaos.py`` runs the full version (600 people, a 40 s stop) and prints figures."""

from __future__ import annotations

import pytest

from tests.chaos.scenario import ChaosConfig, run_chaos
from tests.delivery.report import report

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("mode", ["slack", "discord"])
async def test_chaos_short(
    postgres_url: str, postgres_db: object, mode: str, request: pytest.FixtureRequest
) -> None:
    config = ChaosConfig(
        mode=mode,
        people=120,
        limit=10,
        storm_at=2.0,
        storm_seconds=5.0,
        stop_at=6.0,
        stop_seconds=12.0,
        kill_at=9.0,
        lease_ttl=4.0,
        timeout=150.0,
    )
    result = await run_chaos(postgres_url, config)
    for line in result.lines():
        report(request, line)
    assert result.lost == 0, result.lines()
    assert result.duplicated == 0, result.lines()
    assert result.peak <= config.limit, result.lines()
    assert result.after_storm_429 == 0, result.lines()
    assert result.storm_429 > 0  # the storm happened
