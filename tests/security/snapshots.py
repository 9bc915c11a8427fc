"""Whole-database snapshots as a reader of the database would take them: on SQLite a copy of
the file with its ``-wal`` and ``-shm`` (opened as a separate database), on PostgreSQL every
row of every table. Values that are random by design are masked down to their kind and
length, so two snapshots can be compared for what depends on anything else."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from bot.kernel.storage.db import Database

Snapshot = dict[str, Counter[tuple[Any, ...]]]
Diff = tuple[tuple[str, str, tuple[Any, ...], int], ...]

_HEX = re.compile(r"^[0-9a-f]{32}$|^[0-9a-f]{64}$")


def mask(value: Any) -> Any:
    """Ballot bytes and random hex ids/marks keep only their length."""
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, str) and _HEX.match(value):
        return f"<hex {len(value)}>"
    if isinstance(value, list | dict):  # JSON columns (PostgreSQL gives them parsed)
        return json.dumps(value, sort_keys=True)
    return value


def sqlite_path(db: Database) -> Path:
    return Path(db.url.split(":///", 1)[1])


def copy_sqlite(db: Database, into: Path) -> Path:
    """The database file with its -wal and -shm, copied as a backup tool would."""
    source = sqlite_path(db)
    into.mkdir(parents=True, exist_ok=True)
    target = into / source.name
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


def _count(rows: list[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(mask(v) for v in row) for row in rows)


async def snapshot(db: Database, scratch: Path) -> Snapshot:
    if db.is_sqlite:
        copy = copy_sqlite(db, scratch)
        conn = sqlite3.connect(copy)
        try:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
            ]
            return {n: _count(conn.execute(f'SELECT * FROM "{n}"').fetchall()) for n in names}
        finally:
            conn.close()
            shutil.rmtree(scratch)
    out: Snapshot = {}
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for name in sorted(names):
            rows = (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()
            out[name] = _count([tuple(r) for r in rows])
    return out


def diff(before: Snapshot, after: Snapshot) -> Diff:
    """Rows added (+) and removed (-) per table; an updated row is one of each."""
    changes = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, Counter()), after.get(table, Counter())
        for row, n in sorted((new - old).items(), key=repr):
            changes.append((table, "+", row, n))
        for row, n in sorted((old - new).items(), key=repr):
            changes.append((table, "-", row, n))
    return tuple(changes)
