"""Everything stored about one member, found by reflection over the models (the queries
that read and delete it are :class:`bot.features.personal.store.PersonalData`'s).

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
from typing import Any

from sqlalchemy import Column, Table

from bot.kernel.storage.models import Base

__all__ = [
    "EXPORT_FORMAT",
    "NOT_INCLUDED",
    "TABLE_LABELS",
    "describe_counts",
    "export_bytes",
    "member_columns",
    "personal_tables",
    "plain_row",
]

EXPORT_FORMAT = "crossfade-export/1"
_SECRET_WORDS = ("token", "secret", "password", "verifier")
NOT_INCLUDED = (
    "Pulse poll answers: they are sealed without any link to you and only totals are "
    "kept when a poll closes, so there is nothing of yours to export. Other people's "
    "data is never included."
)

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


def keyed_by_user(table: Table) -> bool:
    """Whether ``table`` keys rows by the platform's user id within a team (no member id)."""
    return "user_id" in table.columns and "team_id" in table.columns


def personal_tables() -> list[Table]:
    """Tables with rows about one member, dependants before what they depend on (the order
    rows can be deleted in)."""
    tables = [
        t
        for t in Base.metadata.sorted_tables
        if t.name != "members" and (member_columns(t) or keyed_by_user(t))
    ]
    return list(reversed(tables))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def plain_row(table: Table, mapping: Any) -> dict[str, Any]:
    """One row as JSON-ready values; secrets are named, never written out."""
    out = {}
    for column in table.columns:
        value = mapping[column]
        if any(word in column.name.lower() for word in _SECRET_WORDS) and value is not None:
            out[column.name] = "[not exported: a secret]"
        else:
            out[column.name] = _plain(value)
    return out


def export_bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False).encode("utf-8")


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
