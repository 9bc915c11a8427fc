"""Publishing team views in versions that differ by at least k people (see
``bot.features.quiz.team_view_models``); reached with ``ctx.store(TeamViews)``."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.features.quiz.team_view_models import TeamViewPending, TeamViewVersion
from bot.kernel.storage.store import Store
from bot.security.keys import get_server_keys

__all__ = ["TeamViews"]

_PURPOSE = "team-view-person"


class TeamViews(Store):
    """Published views of one team, and who changed since the last version."""

    def _person(self, user_id: str) -> str:
        key = get_server_keys().subkey(_PURPOSE)
        message = f"{self.team.id}\x1f{user_id}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    async def changed(self, view: str, user_id: str) -> None:
        """This person's contribution to ``view`` changed (a new result, or `forget`).
        Counted once per person until the next version."""
        row = {"team_id": self.team.id, "view": view, "person": self._person(user_id)}
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        await self.session.execute(insert(TeamViewPending).values(row).on_conflict_do_nothing())

    async def pending(self, view: str) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(TeamViewPending)
            .where(TeamViewPending.team_id == self.team.id, TeamViewPending.view == view)
        )
        return int(count or 0)

    async def published(self, view: str) -> TeamViewVersion | None:
        return await self.session.get(TeamViewVersion, (self.team.id, view))

    async def publish_if_due(
        self, view: str, live: dict[str, Any], *, total: int, k: int, now: datetime
    ) -> TeamViewVersion | None:
        """The version to show: a new one from ``live`` when at least ``k`` people changed
        since the last (or, the first time, when ``total`` reached ``k``); else the last."""
        current = await self.published(view)
        due = await self.pending(view) >= k if current is not None else total >= k
        if not due:
            return current
        if current is None:
            current = TeamViewVersion(team_id=self.team.id, view=view, version=0)
            self.session.add(current)
        current.version += 1
        current.counts = dict(live)
        current.published_at = now
        await self.session.execute(
            delete(TeamViewPending).where(
                TeamViewPending.team_id == self.team.id, TeamViewPending.view == view
            )
        )
        await self.session.flush()
        return current
