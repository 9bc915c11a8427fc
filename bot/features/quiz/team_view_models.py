"""Published versions of team views that would otherwise change one person at a time.

The team's quiz distribution moves whenever one person finishes the quiz: comparing the view
before and after would tell that person's result. So the view is *published*: a version is a
frozen set of totals, and a new one appears only when at least k distinct people's results
changed since the last (``team_view_pending`` holds a keyed hash per person who changed —
never a member id, never a result — and is emptied when a version is published).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.storage.models.base import Base, utcnow

__all__ = ["TeamViewPending", "TeamViewVersion"]


class TeamViewVersion(Base):
    """The latest published version of one view of one team."""

    __tablename__ = "team_view_versions"
    __table_args__ = (PrimaryKeyConstraint("team_id", "view"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    view: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamViewPending(Base):
    """Someone's contribution to a view changed since its last version (keyed hash only)."""

    __tablename__ = "team_view_pending"
    __table_args__ = (
        PrimaryKeyConstraint("team_id", "view", "person"),
        {"sqlite_with_rowid": False},
    )

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    view: Mapped[str] = mapped_column(String(32))
    person: Mapped[str] = mapped_column(String(64))
