"""Slack tokens are stored encrypted: no database byte holds one, and the migration
encrypts tokens stored before it."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from slack_sdk.oauth.installation_store import Installation

from adapters.slack.oauth import InstallationStore
from bot.kernel.storage.db import Database

TOKENS = ("xoxb-bot-123", "xoxe-1-refresh-456", "xoxp-user-789")


def _installation() -> Installation:
    return Installation(
        app_id="A1",
        team_id="T2",
        team_name="Team",
        bot_token=TOKENS[0],
        bot_refresh_token=TOKENS[1],
        bot_id="B2",
        bot_user_id="UBOT2",
        bot_scopes="commands,chat:write",
        user_id="U9",
        user_token=TOKENS[2],
        user_scopes="dnd:write",
    )


def _raw_bytes(path: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
    )


async def test_no_token_in_any_database_byte(sqlite_db: Database) -> None:
    store = InstallationStore(sqlite_db, client_id="c1")
    await store.async_save(_installation())
    found = await store.async_find_installation(enterprise_id=None, team_id="T2")
    assert found is not None and (found.bot_token, found.user_token) == (TOKENS[0], TOKENS[2])
    path = Path(sqlite_db.url.split(":///", 1)[1])
    raw = _raw_bytes(path)
    assert b"T2" in raw  # the file was read: the workspace id is there in clear
    for needle in (b"xoxb-", b"xoxp-", b"xoxe-", *(t.encode() for t in TOKENS)):
        assert needle not in raw


async def test_stored_tokens_read_back_on_postgres(postgres_db: Database) -> None:
    store = InstallationStore(postgres_db, client_id="c1")
    await store.async_save(_installation())
    async with postgres_db.engine.connect() as conn:
        stored = (
            await conn.execute(sa.text("SELECT bot_token, user_token FROM slack_installations"))
        ).one()
    assert all(value and "xox" not in value for value in stored)
    assert await store.bot_token("T2") == TOKENS[0]


async def test_the_migration_encrypts_existing_tokens(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade("0007_discord")
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO teams (platform, workspace_id, name, default_timezone,"
                    " default_logoff, k_threshold, pulse_creators, retention_days, active,"
                    " created_at) VALUES ('slack', 'T2', 'x', 'UTC', '18:00', 5, 'anyone', 90,"
                    " 1, '2026-01-01 00:00:00')"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO slack_installations (team_id, client_id, app_id, enterprise_id,"
                    " slack_team_id, bot_token, user_token, installer_user_id,"
                    " is_enterprise_install, installed_at) VALUES (1, 'c1', 'A1', '', 'T2',"
                    " :bot, :user, 'U9', 0, '2026-01-01 00:00:00')"
                ),
                {"bot": TOKENS[0], "user": TOKENS[2]},
            )
        await db.upgrade()
        await db.upgrade()  # a second run changes nothing
        store = InstallationStore(db, client_id="c1")
        assert await store.bot_token("T2") == TOKENS[0]
        found = await store.async_find_installation(enterprise_id=None, team_id="T2")
        assert found is not None and found.user_token == TOKENS[2]
    finally:
        await db.dispose()
    raw = _raw_bytes(path)
    assert b"xoxb-" not in raw and b"xoxp-" not in raw
