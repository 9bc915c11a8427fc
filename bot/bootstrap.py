"""The composition root: wires settings, storage, clock, the bot and the scheduling engine.

Nothing connects at import time; tests pass fakes (a FakeClock, a SQLite file, fake notifiers).
"""

from __future__ import annotations

import logging

import adapters.discord.models
import adapters.slack.models
from bot.features import checkin, disconnect, help, logoff, personal, pulse, quiz, team
from bot.features.checkin import models as _checkin_models
from bot.features.disconnect import models as _disconnect_models
from bot.features.logoff import models as _logoff_models
from bot.features.pulse import models as _pulse_models
from bot.features.quiz import models as _quiz_models
from bot.features.quiz import team_view_models as _quiz_view_models
from bot.kernel.app import Bot
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.registry import Flow, Router
from bot.kernel.services import Engine, Services
from bot.kernel.settings import Settings
from bot.kernel.storage.db import Database
from bot.scheduling.engine import build_engine as scheduling_engine
from bot.security.keys import load_server_keys, set_server_keys

__all__ = [
    "MODELS",
    "Engine",
    "Services",
    "all_flows",
    "build",
    "build_router",
    "make_bot",
]

# Every table of every feature and adapter, so that Base.metadata is complete wherever the bot
# is built (the export and forget of personal data read it).
MODELS = (
    _checkin_models,
    _disconnect_models,
    _logoff_models,
    _pulse_models,
    _quiz_models,
    _quiz_view_models,
    adapters.discord.models,
    adapters.slack.models,
)


def all_flows() -> list[Flow]:
    """Every feature's flows, in the order help lists their commands."""
    return [
        help.flow,
        personal.flow,
        team.settings_flow,
        quiz.flow,
        team.flow,
        checkin.flow,
        logoff.flow,
        personal.schedules_flow,
        pulse.flow,
        personal.privacy_flow,
        disconnect.workday_flow,
        disconnect.late_choice_flow,
        disconnect.connect_flow,
        disconnect.dnd_flow,
        disconnect.upcoming_flow,
    ]


def build_router(extra: list[Flow] | None = None) -> Router:
    return Router([*all_flows(), *(extra or [])])


def make_bot(
    *,
    db: Database,
    settings: Settings | None = None,
    clock: Clock | None = None,
    router: Router | None = None,
) -> Bot:
    """The bot with every feature (tests and tools build it here, as ``build`` does)."""
    return Bot(db=db, settings=settings, clock=clock, router=router or build_router())


log = logging.getLogger(__name__)


def build_engine(bot: Bot) -> Engine:
    engine: Engine = scheduling_engine(bot)
    return engine


async def build(
    settings: Settings, *, clock: Clock | None = None, migrate: bool = True
) -> Services:
    """Create every long-lived object. SQLite databases are migrated automatically; a
    PostgreSQL database must be at head (``crossfade db upgrade``), which is checked."""
    # Broken content files (quiz, tips) stop start-up here: ContentError is a ValueError
    # whose message names the file, the line and what is wrong.
    quiz.get_content(settings.content_dir)
    # A missing key is MissingServerKey (a ValueError): one clear line at start-up.
    set_server_keys(load_server_keys(settings.secret_key, settings.database_url))
    db = Database(settings.database_url)
    if migrate and db.is_sqlite:
        await db.upgrade()
    bot = make_bot(db=db, settings=settings, clock=clock or SystemClock())
    return Services(settings=settings, db=db, clock=bot.clock, bot=bot, engine=build_engine(bot))
