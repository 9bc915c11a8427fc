"""0013 adds columns to `teams` and `members` in place: on SQLite a table copy would cascade-
delete every row that references them (installations, check-ins). Nothing may be lost, up
or down."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bot.kernel.storage.db import Database

CHILDREN = ("slack_installations", "checkins", "members")


async def _downgrade(db: Database, revision: str) -> None:
    from alembic import command
    from sqlalchemy.engine import Connection

    from bot.kernel.storage.db import alembic_config

    def run(connection: Connection) -> None:
        config = alembic_config(db.url)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with db.engine.begin() as conn:
        await conn.run_sync(run)


async def _counts(db: Database) -> dict[str, int]:
    async with db.engine.connect() as conn:
        return {
            table: int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar() or 0)
            for table in CHILDREN
        }


async def test_the_upgrade_and_downgrade_keep_every_row(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await db.upgrade("0012_support_link")
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO teams (platform, workspace_id, name, default_timezone,"
                    " default_logoff, k_threshold, pulse_creators, retention_days, active,"
                    " created_at) VALUES ('slack', 'T2', 'x', 'UTC', '18:00', 5, 'everyone',"
                    " 90, 1, '2026-01-01 00:00:00')"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO members (team_id, platform_user_id, display_name, workdays,"
                    " is_admin, dm_blocked, created_at, updated_at) VALUES (1, 'U9', 'u', 31,"
                    " 0, 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO checkins (team_id, member_id, local_date, zone, created_at,"
                    " updated_at) VALUES (1, 1, '2026-01-01', 'UTC', '2026-01-01 00:00:00',"
                    " '2026-01-01 00:00:00')"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO slack_installations (team_id, client_id, app_id, enterprise_id,"
                    " slack_team_id, installer_user_id, is_enterprise_install, installed_at)"
                    " VALUES (1, 'c1', 'A1', '', 'T2', 'U9', 0, '2026-01-01 00:00:00')"
                )
            )
        before = await _counts(db)
        assert before == dict.fromkeys(CHILDREN, 1)
        await db.upgrade()
        assert await _counts(db) == before
        async with db.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.text("SELECT default_work_start, strict_disconnect FROM teams")
                )
            ).one()
        assert (row[0], bool(row[1])) == ("09:00", True)  # strict mode on by default
        await _downgrade(db, "0012_support_link")
        assert await _counts(db) == before
    finally:
        await db.dispose()
