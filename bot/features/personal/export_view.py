"""The export a person receives: a readable view of the internal record.

The internal record (:meth:`bot.features.personal.store.PersonalData.export`) is complete:
every column of every row about the person, which the privacy tests check. People get this
view of it instead: one JSON file with a section per kind of data under a plain-English
name, times in their own zone, and none of the bookkeeping columns (ids, lanes, sequence
numbers, claim and retry counters). Messages the bot sent appear as the text the person
read, never as base64 images.

The view is driven by the tables' column types, not by a list of known tables, so a table
added by a later feature still appears (under a name made from its table name, with
humanised column names). The layout is documented in ``docs/export.md``.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, DateTime, LargeBinary, Table, TypeDecorator

from bot.domain.parsing import format_workdays
from bot.kernel.storage.models import Base

__all__ = [
    "COMMON_LABELS",
    "FORMAT",
    "KIND_NAMES",
    "KIND_TITLES",
    "LABELS",
    "humanise",
    "is_internal",
    "message_text",
    "people_export",
]

FORMAT = "crossfade-export/2 (described in docs/export.md)"

KIND_TITLES: dict[str, str] = {
    "checkins": "Check-ins",
    "checkin_nudges": "Check-in nudges",
    "conversations": "Conversations in progress",
    "schedules": "Reminder schedules",
    "outbox": "Messages from Crossfade",
    "logoff_settings": "Log-off settings",
    "logoff_days": "Log-off days",
    "quiz_results": "Quiz results",
    "pulse_askers": "Pulse polls you asked",
    "slack_users": "Slack profile (cached)",
    "discord_users": "Discord profile (cached)",
}

# Column names people recognise (per table, then for any table); any other column is
# humanised from its own name.
COMMON_LABELS: dict[str, str] = {
    "display_name": "Name",
    "timezone": "Time zone",
    "local_date": "Day",
    "created_at": "Created",
    "updated_at": "Last changed",
    "facts_fetched_at": "Fetched",
}
LABELS: dict[str, dict[str, str]] = {
    "members": {
        "display_name": "Name",
        "timezone": "Time zone",
        "timezone_source": "Time zone set by",
        "workdays": "Workdays",
        "quiet_start": "Quiet hours start",
        "quiet_end": "Quiet hours end",
        "away_start": "Away from",
        "away_end": "Away until",
        "holidays": "Public holidays of",
        "is_admin": "Team admin",
        "dm_blocked": "Direct messages blocked",
        "work_start": "Working day starts",
        "work_end": "Working day ends",
        "early_start_at": "Early start noted at",
        "checkin_outside_ok": "Check-in time you confirmed outside your window",
        "created_at": "First used Crossfade",
        "updated_at": "Last changed",
    },
    "checkins": {
        "local_date": "Day",
        "mood": "Mood (1–5)",
        "hours": "Hours worked",
        "took_break": "Took a break",
        "downtime": "Had downtime",
        "zone": "Time zone",
        "created_at": "Answered",
        "updated_at": "Last changed",
    },
    "checkin_nudges": {"pattern": "Noticed", "sent_on": "Sent on", "created_at": "Sent"},
    "conversations": {"kind": "About", "state": "Answers so far", "started_at": "Started"},
    "schedules": {
        "kind": "Reminder",
        "rule": "When",
        "data": "Options",
        "next_due_at": "Next due",
        "last_due_at": "Last due",
        "done_through": "Done through",
        "stopped": "Stopped because",
        "created_at": "Set up",
    },
    "outbox": {
        "kind": "About",
        "effect": "Message",
        "due_at": "Due",
        "sent_at": "Sent",
        "expires_at": "Expires",
        "error": "Delivery problem",
        "created_at": "Queued",
    },
    "logoff_settings": {
        "at": "Log off at",
        "hours": "Hours per day",
        "hard_stop": "Hard stop at",
        "heads_up_minutes": "Heads-up (minutes before)",
    },
    "logoff_days": {
        "local_date": "Day",
        "target": "Log-off target",
        "started_at": "Reminders started",
        "logged_off_at": "Logged off",
    },
    "quiz_results": {"created_at": "Taken", "is_current": "Current result"},
    "pulse_askers": {"name": "Asked as"},
    "slack_users": {"display_name": "Name", "is_admin": "Workspace admin"},
    "discord_users": {"is_admin": "Server admin"},
}

# Bookkeeping nobody needs to read: row and foreign ids, delivery lanes and order, claims,
# retries, optimistic-lock versions, dedupe keys, hashes and secrets.
_INTERNAL_NAMES = frozenset(
    {
        "id",
        "lane",
        "seq",
        "version",
        "attempts",
        "claimed_by",
        "not_before",
        "owner",
        "ref",
        "session",
        "platform_user_id",
        "sid",  # a quiz session id
        "fp",  # the fingerprint of the quiz content the answers belong to
        "fence",  # the delivery lane's fencing token (a counter, not about the person)
        "uncertain",  # delivery bookkeeping: look the message up before sending again
    }
)
_INTERNAL_PARTS = ("key", "hash", "token", "secret", "password", "verifier", "nonce", "dedupe")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]{64,}={0,2}$")  # one long unbroken run: never prose
_TYPES: tuple[tuple[type, type], ...] = (
    (DateTime, datetime),
    (Date, date),
    (Boolean, bool),
    (LargeBinary, bytes),
)
_WORDS = {"checkin": "check-in", "logoff": "log-off"}
# What scheduled jobs and queued messages are about, in words; others are spelled out.
KIND_NAMES = {
    "checkin": "Check-in",
    "checkin-summary": "Weekly check-in summary",
    "logoff.remind": "Log-off reminder",
    "logoff.heads_up": "Log-off heads-up",
    "logoff.hours": "Hours reminder",
    "logoff.hours_heads_up": "Hours heads-up",
    "logoff.snooze": "Snoozed log-off reminder",
}
_DATETIME_FORMAT = "%a %-d %b %Y, %H:%M"
_DATE_FORMAT = "%a %-d %b %Y"


def is_internal(column: str) -> bool:
    name = column.lower()
    if name in _INTERNAL_NAMES or name.endswith("_id"):
        return True
    return any(part in name for part in _INTERNAL_PARTS)


def humanise(name: str) -> str:
    """``took_break`` → ``Took break``: what a column or table name says, in words."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Value"


def _local_datetime(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:  # stored as UTC by every writer
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).strftime(_DATETIME_FORMAT)


def _local_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime(_DATE_FORMAT) if isinstance(value, date) else value


def _blob(value: Any) -> Any:
    """Nested JSON with readable keys; binary payloads are named, never dumped."""
    if isinstance(value, dict):
        return {humanise(str(k)): _blob(v) for k, v in value.items() if not is_internal(str(k))}
    if isinstance(value, list | tuple):
        return [_blob(v) for v in value]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, bytes | bytearray):
        return _binary(bytes(value))
    if isinstance(value, str) and _BASE64.match(value):
        return "[binary data, not included]"
    return value


def message_text(effect: Any) -> Any:
    """What a queued message said, as the person read it: its text, field lines, and a
    placeholder naming each chart, file or row of buttons."""
    message = effect.get("message") if isinstance(effect, dict) else None
    if not isinstance(message, dict):
        return _blob(effect)
    lines: list[str] = []
    for block in message.get("blocks") or ():
        try:
            lines.extend(_block_lines(block))
        except (AttributeError, TypeError, ValueError):
            # rows queued by an older version may hold a shape this one no longer writes
            lines.append("[part of this message could not be read]")
    return "\n".join(lines) if lines else str(message.get("text", ""))


def _block_lines(block: dict[str, Any]) -> list[str]:
    kind = block.get("kind")
    if kind == "text":
        return [str(block.get("text", ""))]
    if kind == "fields":
        return [f"{label}: {value}" for label, value in block.get("fields", ())]
    if kind == "image":
        return [f"[chart: {block.get('alt', '')}]"]
    if kind == "file":
        return [f"[file: {block.get('filename', '')}]"]
    if kind == "buttons":
        labels = " · ".join(str(b.get("label", "")) for b in block.get("buttons", ()))
        return [f"[buttons: {labels}]"]
    if kind == "select":
        return [f"[menu: {block.get('placeholder', '')}]"]
    return []


def _word(value: str) -> str:
    """A stored code (``logoff.heads_up``) as words (``Log-off heads-up``)."""
    if value in KIND_NAMES:
        return KIND_NAMES[value]
    words = " ".join(_WORDS.get(w, w) for w in re.split(r"[._-]+", value) if w)
    return words[:1].upper() + words[1:]


def _binary(value: Any) -> str:
    """Names binary data by size; the internal record holds it as base64 text."""
    if isinstance(value, str):
        try:
            value = base64.b64decode(value, validate=True)
        except ValueError:
            return "[binary data, not included]"
    return f"[binary data, {len(value):,} bytes, not included]"


def _python_type(table: Table, column: str) -> type | None:
    """What the column holds, looking through custom types to the one they store as."""
    if column not in table.c:
        return None
    kind = table.c[column].type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    for sql_type, python_type in _TYPES:
        if isinstance(kind, sql_type):
            return python_type
    return None


def _value(table: Table, column: str, kind: type | None, value: Any, zone: ZoneInfo) -> Any:
    if value is None:
        return None
    if table.name == "outbox" and column == "effect":
        return message_text(value)
    if table.name == "members" and column == "workdays" and isinstance(value, int):
        return format_workdays(value)
    if kind is datetime:
        return _local_datetime(value, zone)
    if kind is date:
        return _local_date(value)
    if kind is bool or isinstance(value, bool):
        return "yes" if value else "no"
    if kind is bytes or isinstance(value, bytes):
        return _binary(value)
    if isinstance(value, str) and column in ("kind", "outcome", "mode", "status"):
        return _word(value)
    return _blob(value)


@lru_cache(maxsize=64)
def _plan(table: Table) -> dict[str, tuple[str, type | None]]:
    """Per shown column: its label and what it holds (worked out once per table, not per
    value: a year of check-ins is thousands of values)."""
    labels = COMMON_LABELS | LABELS.get(table.name, {})
    return {
        c.name: (labels.get(c.name, humanise(c.name)), _python_type(table, c.name))
        for c in table.columns
        if not is_internal(c.name)
    }


def _row(table: Table, row: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    plan = _plan(table)
    out = {}
    for column, value in row.items():
        if column in plan:
            label, kind = plan[column]
            out[label] = _value(table, column, kind, value, zone)
        elif not is_internal(column):  # not a column of the table: shown, never dropped
            out[humanise(column)] = _blob(value)
    return out


def people_export(document: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """The readable view of the internal record, times shown in ``zone``."""
    tables = Base.metadata.tables
    team = document.get("team") or {}
    you = document.get("you") or {}
    out: dict[str, Any] = {
        "About this file": {
            "What": "Everything Crossfade stores about you, and nothing about anyone else.",
            "For": you.get("display_name") or you.get("platform_user_id"),
            "Team": team.get("name") or team.get("workspace_id"),
            "Platform": humanise(str(team.get("platform", ""))),
            "Exported": _local_datetime(document.get("exported_at"), zone),
            "Times are in": zone.key,
            "How to read it": (
                "Each section below is one kind of data, one entry per record. "
                "null means not set. Messages are shown as their text; charts and buttons are "
                "named in [brackets]."
            ),
            "Format": FORMAT,
        },
        "Your settings": _row(tables["members"], you, zone),
    }
    for name, rows in document.get("data", {}).items():
        table = tables.get(name)
        title = KIND_TITLES.get(name, humanise(name))
        if table is None:  # only reachable if a table vanished between the two calls
            out[title] = [_blob(row) for row in rows]
        else:
            out[title] = [_row(table, row, zone) for row in rows]
    out["Not included"] = document.get("not_included", "")
    return out
