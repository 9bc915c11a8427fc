"""Repositories for the core tables. Every query is scoped by team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.text import strip_invisible
from bot.kernel.events import Actor, MessageRef, Place, TeamKey
from bot.kernel.storage.models import Conversation, Member, PostedMessage, Team

__all__ = ["Conversations", "Members", "PostedMessages", "Teams"]


class Teams:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: TeamKey) -> Team | None:
        return await self.session.scalar(
            select(Team).where(Team.platform == key.platform, Team.workspace_id == key.workspace_id)
        )

    async def get_or_create(self, key: TeamKey, *, default_timezone: str = "UTC") -> Team:
        team = await self.get(key)
        if team is not None:
            return team
        # Two instances may meet the same new team at once: insert in a savepoint and fall
        # back to the winner's row.
        try:
            async with self.session.begin_nested():
                team = Team(
                    platform=key.platform,
                    workspace_id=key.workspace_id,
                    default_timezone=default_timezone,
                )
                self.session.add(team)
        except IntegrityError:
            team = await self.get(key)
            assert team is not None
        return team

    async def by_id(self, team_id: int) -> Team | None:
        return await self.session.get(Team, team_id)

    async def of_platform(self, platform: str) -> list[Team]:
        """Every team of one platform, active or not."""
        return list(await self.session.scalars(select(Team).where(Team.platform == platform)))

    async def set_active(self, key: TeamKey, active: bool) -> None:
        """Switch the team of ``key`` on or off in one statement (no row is created; one
        already in that state is left as it is)."""
        await self.session.execute(
            update(Team)
            .where(
                Team.platform == key.platform,
                Team.workspace_id == key.workspace_id,
                Team.active.is_(not active),
            )
            .values(active=active)
            .execution_options(synchronize_session=False)
        )


class Members:
    """Members of one team."""

    def __init__(self, session: AsyncSession, team: Team) -> None:
        self.session = session
        self.team = team

    async def get(self, platform_user_id: str) -> Member | None:
        return await self.session.scalar(
            select(Member).where(
                Member.team_id == self.team.id, Member.platform_user_id == platform_user_id
            )
        )

    async def by_id(self, member_id: int) -> Member | None:
        return await self.session.scalar(
            select(Member).where(Member.team_id == self.team.id, Member.id == member_id)
        )

    async def get_or_create(self, actor: Actor) -> tuple[Member, bool]:
        """The member for ``actor``, refreshed with what the platform knows; ``True`` if new."""
        member = await self.get(actor.user_id)
        created = False
        if member is None:
            try:
                async with self.session.begin_nested():
                    member = Member(team_id=self.team.id, platform_user_id=actor.user_id)
                    self.session.add(member)
                created = True
            except IntegrityError:
                member = await self.get(actor.user_id)
                assert member is not None
        name = strip_invisible(actor.display_name or "")[:200]
        if name and member.display_name != name:
            member.display_name = name
        if member.is_admin != actor.is_admin:
            member.is_admin = actor.is_admin
        if (
            actor.timezone
            and member.timezone_source != "user"
            and member.timezone != actor.timezone
        ):
            member.timezone = actor.timezone
            member.timezone_source = "platform"
        return member, created

    async def all(self) -> list[Member]:
        rows = await self.session.scalars(select(Member).where(Member.team_id == self.team.id))
        return list(rows)


class Conversations:
    """Conversations in progress for one team, one row per (member, kind)."""

    def __init__(self, session: AsyncSession, team: Team) -> None:
        self.session = session
        self.team = team

    async def get(self, member: Member, kind: str) -> Conversation | None:
        return await self.session.scalar(
            select(Conversation).where(
                Conversation.team_id == self.team.id,
                Conversation.member_id == member.id,
                Conversation.kind == kind,
            )
        )

    async def start(self, member: Member, kind: str, state: dict[str, Any]) -> Conversation:
        """Start (or restart) a conversation, replacing one of the same kind."""
        existing = await self.get(member, kind)
        if existing is not None:
            existing.state = dict(state)
            return existing
        conversation = Conversation(
            team_id=self.team.id, member_id=member.id, kind=kind, state=dict(state)
        )
        self.session.add(conversation)
        await self.session.flush()
        return conversation

    async def save(self, conversation: Conversation, state: dict[str, Any]) -> None:
        # Assign a new dict so SQLAlchemy sees the change (JSON is not mutation-tracked).
        conversation.state = dict(state)

    async def delete(self, conversation: Conversation) -> None:
        """End this conversation. A versioned delete: if another instance changed or ended it
        since it was loaded, the flush fails and the event is retried."""
        await self.session.delete(conversation)

    async def end(self, member: Member, kind: str) -> None:
        await self.session.execute(
            delete(Conversation).where(
                Conversation.team_id == self.team.id,
                Conversation.member_id == member.id,
                Conversation.kind == kind,
            )
        )


class PostedMessages:
    def __init__(self, session: AsyncSession, team: Team) -> None:
        self.session = session
        self.team = team

    async def remember(self, ref_key: str, ref: MessageRef) -> None:
        row = await self.session.scalar(
            select(PostedMessage).where(
                PostedMessage.team_id == self.team.id, PostedMessage.ref_key == ref_key
            )
        )
        if row is None:
            row = PostedMessage(team_id=self.team.id, ref_key=ref_key)
            self.session.add(row)
        row.place_kind = ref.place.kind
        row.place_id = ref.place.id
        row.message_id = ref.id

    async def get(self, ref_key: str) -> MessageRef | None:
        row = await self.session.scalar(
            select(PostedMessage).where(
                PostedMessage.team_id == self.team.id, PostedMessage.ref_key == ref_key
            )
        )
        if row is None:
            return None
        place = Place("dm", row.place_id) if row.place_kind == "dm" else Place.channel(row.place_id)
        return MessageRef(place, row.message_id)
