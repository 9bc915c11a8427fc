"""All models. Each feature owns one module and one migration; importing this package
registers every table on ``Base.metadata``."""

from bot.storage.models import (
    checkin,
    disconnect,
    discord,
    pulse,
    quiz,
    scheduling,
    slack,
    team_views,
)
from bot.storage.models.base import Base, UTCDateTime, utcnow
from bot.storage.models.core import Conversation, Member, PostedMessage, Team

__all__ = [
    "Base",
    "Conversation",
    "Member",
    "PostedMessage",
    "Team",
    "UTCDateTime",
    "checkin",
    "disconnect",
    "discord",
    "pulse",
    "quiz",
    "scheduling",
    "slack",
    "team_views",
    "utcnow",
]
