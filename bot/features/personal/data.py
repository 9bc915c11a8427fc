"""Everything stored about one member, found by reflection over the models.

A table holds personal data when one of its columns is a foreign key to ``members.id``, or
when it keys rows by the platform's ``user_id`` within a ``team_id`` (the adapters' caches of
profile facts). Reading ``Base.metadata`` instead of a hand-kept list means a table added by
a later feature is exported and deleted without anyone remembering to update this module.
A table can opt out of the *export* (never of deletion) with ``Table.info["export"] =
False``; secrets (columns named like tokens or secrets) are never written out.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Table, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.storage.models import Base, Member, Team

__all__ = [
    "TABLE_LABELS",
    "count_member_data",
    "delete_member_data",
    "describe_counts",
    "export_bytes",
    "export_document",
    "member_columns",
    "personal_tables",
]

EXPORT_FORMAT = "crossfade-export/1"
_SECRET_WORDS = ("token", "secret", "password", "verifier")

# Friendly names for what people recognise; unknown tables fall back to their own name.
TABLE_LABELS: dict[str, tuple[str, str]] = {
    "checkins": ("check-in", "check-ins"),
    "checkin_nudges": ("nudge record", "nudge records"),
    "conversations": ("conversation in progress", "conversations in progress"),
    "schedules": ("reminder schedule", "reminder schedules"),
    "outbox": ("message the bot sent or will send you", "messages the bot sent or will send you"),
    "logoff_settings": ("log-off setting", "log-off settings"),
    "logoff_days": ("log-off record", "log-off records"),
    "quiz_results": ("quiz result", "quiz results"),
    "pulse_askers": ("pulse poll you asked (never anyone's answer)", "pulse polls you asked"),
    "slack_users": ("cached Slack profile (name, time zone)", "cached Slack profiles"),
    "discord_users": ("cached Discord profile", "cached Discord profiles"),
    "late_choices": ("late-evening answer (my choice / needed to)", "late-evening answers"),
    "slack_user_tokens": ("Slack connection (encrypted token)", "Slack connections"),
}


def member_columns(table: Table) -> list[Column[Any]]:
    """The columns of ``table`` that point at ``members.id``."""
    return [
        column
        for column in table.columns
        if any(
            fk.column.table.name == "members" and fk.column.name == "id"
            for fk in column.foreign_keys
        )
    ]


def _keyed_by_user(table: Table) -> bool:
    return "user_id" in table.columns and "team_id" in table.columns


def personal_tables() -> list[Table]:
    """Tables with rows about one member, dependants before what they depend on (the order
    rows can be deleted in)."""
    tables = [
        t
        for t in Base.metadata.sorted_tables
        if t.name != "members" and (member_columns(t) or _keyed_by_user(t))
    ]
    return list(reversed(tables))


def _where(table: Table, team: Team, member: Member) -> list[Any]:
    columns = member_columns(table)
    if columns:
        clauses: list[Any] = [or_(*(c == member.id for c in columns))]
    else:
        clauses = [table.columns["user_id"] == member.platform_user_id]
    if "team_id" in table.columns:
        clauses.append(table.columns["team_id"] == team.id)
    return clauses


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(table: Table, mapping: Any) -> dict[str, Any]:
    out = {}
    for column in table.columns:
        value = mapping[column]
        if any(word in column.name.lower() for word in _SECRET_WORDS) and value is not None:
            out[column.name] = "[not exported: a secret]"
        else:
            out[column.name] = _plain(value)
    return out


async def export_document(
    session: AsyncSession, *, team: Team, member: Member, now: datetime
) -> dict[str, Any]:
    """A JSON-ready document of every row about ``member`` in ``team`` and nothing else."""
    members = Base.metadata.tables["members"]
    you = (await session.execute(select(members).where(members.c.id == member.id))).mappings().one()
    data: dict[str, list[dict[str, Any]]] = {}
    for table in sorted(personal_tables(), key=lambda t: t.name):
        if table.info.get("export") is False:
            continue
        order = [table.c[name] for name in ("id",) if name in table.c]
        result = await session.execute(
            select(table).where(*_where(table, team, member)).order_by(*order)
        )
        rows = [_row(table, mapping) for mapping in result.mappings()]
        if rows:
            data[table.name] = rows
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "team": {"platform": team.platform, "workspace_id": team.workspace_id, "name": team.name},
        "you": _row(members, you),
        "data": data,
        "not_included": (
            "Pulse poll answers: they are sealed without any link to you and only totals are "
            "kept when a poll closes, so there is nothing of yours to export. Other people's "
            "data is never included."
        ),
    }


def export_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False).encode("utf-8")


async def count_member_data(session: AsyncSession, *, team: Team, member: Member) -> dict[str, int]:
    """How many rows each personal table holds about ``member`` (non-zero ones only)."""
    counts = {}
    for table in personal_tables():
        number = await session.scalar(
            select(func.count()).select_from(table).where(*_where(table, team, member))
        )
        if number:
            counts[table.name] = int(number)
    return counts


async def delete_member_data(
    session: AsyncSession, *, team: Team, member: Member
) -> dict[str, int]:
    """Delete every row about ``member`` and the member row itself; returns the counts per
    table. Rows are deleted explicitly (dependants first) rather than trusting every table
    to cascade, so a table that forgot ``ondelete`` cannot keep data behind."""
    # Write pending changes first, so nothing about this member is flushed after the delete.
    await session.flush()
    counts: dict[str, int] = {}
    for table in personal_tables():
        result = cast(
            "CursorResult[Any]",
            await session.execute(delete(table).where(*_where(table, team, member))),
        )
        if result.rowcount:
            counts[table.name] = int(result.rowcount)
    members = Base.metadata.tables["members"]
    await session.execute(
        delete(members).where(members.c.id == member.id, members.c.team_id == team.id)
    )
    session.expunge(member)
    return counts


def describe_counts(counts: dict[str, int]) -> list[str]:
    """``["12 check-ins", "1 reminder schedule"]`` in a stable order."""
    lines = []
    for name in sorted(counts, key=lambda n: (n not in TABLE_LABELS, n)):
        number = counts[name]
        one, many = TABLE_LABELS.get(
            name, (name.replace("_", " ") + " row", name.replace("_", " ") + " rows")
        )
        lines.append(f"{number} {one if number == 1 else many}")
    return lines
