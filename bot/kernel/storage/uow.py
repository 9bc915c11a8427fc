"""Unit of work over an async SQLAlchemy session: commit explicitly, roll back by default."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from bot.kernel.storage.models import Team
    from bot.kernel.storage.store import Store

__all__ = ["UnitOfWork"]

S = TypeVar("S", bound="Store")


class UnitOfWork:
    """``async with db.uow() as uow: …; await uow.commit()`` — leaving the block without a
    commit rolls back, so a failed handler never leaves half its changes behind."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._committed = False
        self._stores: dict[tuple[type[Store], int | None], Store] = {}

    def store(self, kind: type[S], team: Team) -> S:
        """The one ``kind`` store of this unit of work for ``team`` (made on first use)."""
        key = (kind, team.id)
        found = self._stores.get(key)
        if found is None:
            found = self._stores[key] = kind(self.session, team)
        assert isinstance(found, kind)
        return found

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed or exc is not None:
                await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    async def flush(self) -> None:
        await self.session.flush()

    async def rollback(self) -> None:
        await self.session.rollback()
