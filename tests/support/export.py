"""Reading exports in tests: the internal record (``PersonalData.export``, every column, which
the privacy tests check for exactness) and the file a person receives (its readable view)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.features.personal.store import PersonalData
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from bot.kernel.ui import File

# a run of base64 long enough to be an image or a file, not a word
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")


async def internal_record(db: Database, user: str) -> dict[str, Any]:
    """The internal record for ``user`` (the only member with that platform id in tests)."""
    async with db.uow() as uow:
        member = await uow.session.scalar(select(Member).where(Member.platform_user_id == user))
        assert member is not None
        team = await uow.session.get(Team, member.team_id)
        assert team is not None
        return await uow.store(PersonalData, team).export(member, now=datetime.now(UTC))


def people_file(file: File) -> dict[str, Any]:
    """The file a person receives, checked for what every export promises."""
    assert file.mime == "application/json" and file.filename.endswith(".json")
    text = file.data.decode("utf-8")
    assert not BASE64_RUN.search(text), "base64 data in the export"
    document: dict[str, Any] = json.loads(text)
    return document


def keys_of(value: Any) -> list[str]:
    """Every key at every depth of a JSON value."""
    if isinstance(value, dict):
        return [k for key, v in value.items() for k in (key, *keys_of(v))]
    if isinstance(value, list):
        return [k for v in value for k in keys_of(v)]
    return []


def sections(document: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The kinds of data (lists of rows) in a person's export."""
    return {k: v for k, v in document.items() if isinstance(v, list)}
