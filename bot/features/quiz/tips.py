"""The quiz's tips, offered to other features by id (check-in nudges word their advice with
them), in the wording of the team's content files."""

from __future__ import annotations

from bot.features.quiz.content import get_content
from bot.features.quiz.flow import flow
from bot.kernel.settings import Settings
from bot.kernel.slots import TIP_LOOKUP, TipText

__all__ = ["tip_text"]


@flow.provides(TIP_LOOKUP)
def tip_text(settings: Settings, key: str) -> TipText | None:
    """The tip ``key`` of the tips file, or ``None`` when there is no such tip."""
    tip = get_content(settings.content_dir).tip(key)
    return TipText(tip.title, tip.summary, tip.points) if tip is not None else None
