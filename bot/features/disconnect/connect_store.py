"""The Slack ``connect`` side's queries: a member's grant (``slack_user_tokens``)."""

from __future__ import annotations

from sqlalchemy import select

from bot.kernel.storage.models import Member
from bot.kernel.storage.models.presence import SlackUserToken
from bot.kernel.storage.store import Store

__all__ = ["ConnectTokens"]


class ConnectTokens(Store):
    """Members' Slack user tokens in this team."""

    async def of(self, member: Member) -> SlackUserToken | None:
        """The member's grant, broken or not (``None`` if they never connected)."""
        row: SlackUserToken | None = await self.session.scalar(
            select(SlackUserToken).where(
                SlackUserToken.team_id == self.team.id, SlackUserToken.member_id == member.id
            )
        )
        return row

    async def connected(self, member: Member) -> bool:
        """Whether the member holds a grant at all (broken ones count)."""
        found = await self.session.scalar(
            select(SlackUserToken.id).where(
                SlackUserToken.team_id == self.team.id, SlackUserToken.member_id == member.id
            )
        )
        return found is not None
