"""Quiz results of one team: save with history, the current result, the team distribution.

The quiz's only SQL for its results; handlers reach it with ``ctx.store(QuizResults)``."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from bot.features.quiz.models import QuizResult
from bot.kernel.storage.models import Member
from bot.kernel.storage.store import Store

__all__ = ["QuizResults"]


class QuizResults(Store):
    """Every query is scoped by the team."""

    async def current(self, member: Member) -> QuizResult | None:
        return await self.session.scalar(
            select(QuizResult).where(
                QuizResult.team_id == self.team.id,
                QuizResult.member_id == member.id,
                QuizResult.is_current.is_(True),
            )
        )

    async def by_session(self, member: Member, session: str) -> QuizResult | None:
        return await self.session.scalar(
            select(QuizResult).where(
                QuizResult.team_id == self.team.id,
                QuizResult.member_id == member.id,
                QuizResult.session == session,
            )
        )

    async def by_id(self, member: Member, result_id: int) -> QuizResult | None:
        return await self.session.scalar(
            select(QuizResult).where(
                QuizResult.team_id == self.team.id,
                QuizResult.member_id == member.id,
                QuizResult.id == result_id,
            )
        )

    async def history(self, member: Member, *, limit: int = 20) -> list[QuizResult]:
        """Newest first."""
        rows = await self.session.scalars(
            select(QuizResult)
            .where(QuizResult.team_id == self.team.id, QuizResult.member_id == member.id)
            .order_by(QuizResult.created_at.desc(), QuizResult.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def record(
        self,
        member: Member,
        *,
        session: str,
        result: str,
        score: int,
        flags: Iterable[str],
        answers: dict[str, Any],
        at: datetime,
    ) -> QuizResult:
        """Save a finished quiz as the member's current result; the previous one stays as
        history. The old row is cleared first so the one-current-per-member index holds."""
        await self.session.execute(
            update(QuizResult)
            .where(
                QuizResult.team_id == self.team.id,
                QuizResult.member_id == member.id,
                QuizResult.is_current.is_(True),
            )
            .values(is_current=False)
            .execution_options(synchronize_session="fetch")
        )
        row = QuizResult(
            team_id=self.team.id,
            member_id=member.id,
            session=session,
            result=result,
            score=score,
            flags=sorted(set(flags)),
            answers=dict(answers),
            created_at=at,
            is_current=True,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def distribution(self) -> dict[str, int]:
        """How many members currently hold each result (no one's identity)."""
        rows = await self.session.execute(
            select(QuizResult.result, func.count())
            .where(QuizResult.team_id == self.team.id, QuizResult.is_current.is_(True))
            .group_by(QuizResult.result)
        )
        return {result: int(count) for result, count in rows}
