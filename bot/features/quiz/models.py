"""Quiz results, with history: every finished quiz is a row; one per member is current."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow

__all__ = ["QuizResult"]


class QuizResult(Base):
    """One finished quiz. Retaking adds a row and clears ``is_current`` on the old one, so
    history is kept; a partial unique index allows only one current row per member."""

    __tablename__ = "quiz_results"
    __table_args__ = (
        Index(
            None,
            "member_id",
            "is_current",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index(None, "member_id", "created_at"),
        Index(None, "team_id", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # the quiz session that produced it (buttons carry it, so stale presses are recognised)
    session: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(16))
    score: Mapped[int]
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # question id → answer id, in question order
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_current: Mapped[bool] = mapped_column(default=True)
