"""``crossfade doctor`` against the local fakes: all ✔ on a ready install, and one ✘ case
(with its fix and a non-zero exit) per check."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.doctor import database_rows, lock_row, versions_row
from bot.kernel.settings import Settings
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.slack.fake_slack import FakeSlack
from tests.ops.support import CROSSFADE, SERVER_KEY, clean_env, crossfade, free_port

Rows = dict[str, tuple[bool, str, str]]


@pytest.fixture
async def fakes(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeSlack, FakeDiscord]]:
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    slack, discord = FakeSlack(), FakeDiscord()
    await slack.start()
    await discord.start()
    yield slack, discord
    await discord.stop()
    await slack.stop()


def _env(tmp: Path, slack: FakeSlack, discord: FakeDiscord, **more: str) -> dict[str, str]:
    values = {
        "DATABASE_URL": f"sqlite:///{tmp / 'bot.db'}",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "8f14e45fceea167a5a36dedd4bea2543",
        "SLACK_API_URL": slack.api_url,
        "DISCORD_TOKEN": discord.token,
        "DISCORD_API_URL": discord.api_url,
        "DISCORD_GATEWAY_URL": discord.gateway_url,
        "CROSSFADE_SECRET_KEY": SERVER_KEY,
    }
    return clean_env(**(values | more))


async def _run(tmp: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        CROSSFADE,
        *args,
        cwd=tmp,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert "Traceback" not in out.decode() + err.decode(), err.decode()
    return int(process.returncode or 0), out.decode()


def _rows(output: str) -> Rows:
    rows: Rows = {}
    last = ""
    for line in output.splitlines():
        if line and line[0] in "✔✘":
            check, _, detail = line[2:].partition("  ")
            last = check.strip()
            rows[last] = (line[0] == "✔", detail.strip(), "")
        elif line.strip().startswith("fix: ") and last:
            ok, detail, _ = rows[last]
            rows[last] = (ok, detail, line.strip().removeprefix("fix: "))
    return rows


async def _ready(tmp: Path, slack: FakeSlack, discord: FakeDiscord) -> dict[str, str]:
    """A ready install: migrated database, commands published, a guild with the bot."""
    env = _env(tmp, slack, discord)
    assert (await _run(tmp, env, "db", "upgrade"))[0] == 0
    assert (await _run(tmp, env, "discord", "sync"))[0] == 0
    discord.add_guild("Ops")
    return env


async def _doctor(tmp: Path, env: dict[str, str]) -> tuple[int, Rows]:
    code, out = await _run(tmp, env, "doctor")
    return code, _rows(out)


def _failed(rows: Rows, check: str, *needles: str) -> str:
    ok, detail, fix = rows[check]
    assert not ok, rows
    assert fix, f"no fix given for {check}"
    for needle in needles:
        assert needle in detail + " | " + fix, (needle, detail, fix)
    return fix


async def test_a_ready_install_is_all_green(tmp_path: Path, fakes: Any) -> None:
    slack, discord = fakes
    env = await _ready(tmp_path, slack, discord)
    code, rows = await _doctor(tmp_path, env)
    assert code == 0, {k: v for k, v in rows.items() if not v[0]}
    expected = [
        "configuration",
        "database",
        "migrations",
        "clock skew",
        "server key",
        "slack auth.test",
        "slack scopes",
        "discord token",
        "discord gateway",
        "discord /crossfade",
        "discord permissions",
        "versions",
    ]
    assert [c for c in rows if c != "lock file"] == expected
    assert all(ok for ok, _, _ in rows.values()), rows


async def test_each_platform_check_fails_with_its_fix(tmp_path: Path, fakes: Any) -> None:
    slack, discord = fakes
    env = await _ready(tmp_path, slack, discord)
    slack.scopes.remove("files:write")
    discord.session_starts_left = 0
    discord.commands.clear()
    guild = next(iter(discord.guilds))
    discord.bot_permissions[guild] = (1 << 10) | (1 << 11)
    code, rows = await _doctor(tmp_path, env)
    assert code == 1
    _failed(rows, "slack scopes", "files:write", "reinstall")
    _failed(rows, "discord gateway", "0 session starts", "identify budget")
    _failed(rows, "discord /crossfade", "crossfade discord sync")
    _failed(rows, "discord permissions", "Ops lacks Embed Links, Attach Files", "52224")
    assert rows["slack auth.test"][0] and rows["discord token"][0]

    env |= {"SLACK_BOT_TOKEN": "xoxb-revoked", "DISCORD_TOKEN": "wrong"}
    code, rows = await _doctor(tmp_path, env)
    assert code == 1
    _failed(rows, "slack auth.test", "invalid_auth", "Install App")
    _failed(rows, "discord token", "HTTP 401", "DISCORD_TOKEN")


async def test_configuration_database_and_key_failures(tmp_path: Path, fakes: Any) -> None:
    slack, discord = fakes
    env = await _ready(tmp_path, slack, discord)
    code, rows = await _doctor(tmp_path, env | {"LOG_LEVEL": "loud"})
    assert code == 1
    _failed(rows, "configuration", "LOG_LEVEL", "'loud'")

    (tmp_path / "empty.db").write_bytes(b"")
    code, rows = await _doctor(tmp_path, env | {"DATABASE_URL": f"sqlite:///{tmp_path}/empty.db"})
    _failed(rows, "migrations", "at nothing", "crossfade db upgrade")

    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/x"
    code, rows = await _doctor(tmp_path, env | {"DATABASE_URL": unreachable})
    _failed(rows, "database", "cannot reach PostgreSQL", "DATABASE_URL")
    assert "migrations" not in rows

    code, rows = await _doctor(tmp_path, env | {"CROSSFADE_SECRET_KEY": "hunter2"})
    fix = _failed(rows, "server key", "not a key", "crossfade keygen")
    assert "hunter2" not in str(rows) and fix


async def test_clock_skew_against_the_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'skew.db'}"
    result = crossfade("db", "upgrade", cwd=tmp_path, env=clean_env(DATABASE_URL=url))
    assert result.returncode == 0, result.stderr
    settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
    rows = await database_rows(settings, now=lambda: datetime.now(UTC) + timedelta(seconds=90))
    skew = next(row for row in rows if row.check == "clock skew")
    assert not skew.ok and "ahead of the database" in skew.detail and "NTP" in skew.fix
    rows = await database_rows(settings)
    assert next(row for row in rows if row.check == "clock skew").ok


def test_lock_file_and_versions(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text(
        "aiohttp==999.0 \\\n    --hash=sha256:00\n    # via crossfade (pyproject.toml)\n"
        "PyYAML==0.1\n"  # older than installed: newer is fine
        "not-here-at-all==1.0 ; python_full_version >= '9.0'\n"  # not for this Python
        "setuptools==999.0\n    # via -r build-requirements.in\n",  # only builds the image
        encoding="utf-8",
    )
    row = lock_row(tmp_path)
    assert row is not None and not row.ok
    assert row.detail == f"aiohttp {metadata.version('aiohttp')} (lock: 999.0)"
    assert "--require-hashes" in row.fix
    lock.write_text("a-package-nobody-installed==1.0\n", encoding="utf-8")
    row = lock_row(tmp_path)
    assert row is not None and row.detail == "a-package-nobody-installed missing (lock: 1.0)"
    assert lock_row(tmp_path / "nowhere") is None  # a plain pip install has none

    row = versions_row(["aiohttp>=99"])
    assert not row.ok and "aiohttp" in row.detail and "needs >=99" in row.detail
    row = versions_row()
    assert row.ok and f"Python {sys.version_info[0]}.{sys.version_info[1]}" in row.detail
