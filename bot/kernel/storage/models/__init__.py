"""The tables every feature shares: teams, members, conversations in progress, posted
messages (``core``), and the engine's (``scheduling``). Each feature and adapter owns its own
models module; the composition root (``bot.bootstrap``) imports them all, so that every table
is on ``Base.metadata``."""

from bot.kernel.storage.models import scheduling
from bot.kernel.storage.models.base import Base, UTCDateTime, utcnow
from bot.kernel.storage.models.core import Conversation, Member, PostedMessage, Team

__all__ = [
    "Base",
    "Conversation",
    "Member",
    "PostedMessage",
    "Team",
    "UTCDateTime",
    "scheduling",
    "utcnow",
]
