"""Reading a whole database: every row of every table, for tests that must prove what is
(not) stored about a person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text

from bot.kernel.storage.db import Database

Rows = dict[str, list[dict[str, Any]]]


async def every_row(db: Database) -> Rows:
    out: Rows = {}
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for name in sorted(names):
            result = await conn.execute(text(f'SELECT * FROM "{name}"'))
            out[name] = [dict(row._mapping) for row in result]
    return out


def rows_about(rows: Rows, user_id: str) -> list[tuple[str, dict[str, Any]]]:
    """Rows that hold ``user_id`` in any column (platform ids are unique strings), plus rows
    that point at that person's member id."""
    member_ids = {r["id"] for r in rows.get("members", []) if r.get("platform_user_id") == user_id}
    found = []
    for table, table_rows in rows.items():
        for row in table_rows:
            holds_id = any(value == user_id for value in row.values())
            points = member_ids and any(
                column == "member_id" and value in member_ids for column, value in row.items()
            )
            if holds_id or points:
                found.append((table, row))
    return found
