"""Tables of the security pass: Slack request signatures already seen (replay refusal).

A row holds a SHA-256 of one request's ``X-Slack-Signature`` and the end of the five-minute
bucket after which the signature could no longer pass Slack's timestamp check anyway. It
says nothing about who sent the request, from where, or what it asked — only that this
exact signed request was already served — so even a vote's row tells nothing about the
voter (the anonymity rule for vote-time writes).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base

__all__ = ["SeenSignature"]


class SeenSignature(Base):
    __tablename__ = "slack_seen_signatures"
    __table_args__ = (Index("ix_slack_seen_signatures_expires", "expires"),)

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires: Mapped[int] = mapped_column(BigInteger)  # unix seconds, a multiple of 300
