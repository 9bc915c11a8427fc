"""The job runner: all the engine needs of the application whose jobs it runs.

The engine (this package and ``bot.delivery``) runs scheduled jobs and delivers their
effects; it does not know the application. It is given a :class:`JobRunner`: the database,
the clock, the settings, and the registry in which flows registered their jobs by kind (the
same registry a job's ``Context`` offers its handler). Delivery's part of it is
:class:`~bot.delivery.host.DeliveryHost`. The kernel's ``Bot`` satisfies it structurally, and
the composition root hands the bot to ``SchedulingEngine(bot)``; tests may hand anything of
this shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from bot.delivery.host import DeliveryHost
from bot.kernel.clock import Clock
from bot.kernel.context import Context, Registry
from bot.kernel.effects import Effect
from bot.kernel.settings import Settings
from bot.scheduling.api import Due

__all__ = ["JobHandler", "JobRegistry", "JobRunner"]

JobHandler = Callable[[Context, Due], Awaitable[list[Effect]]]


class JobRegistry(Registry, Protocol):
    """The registry as the engine sees it: a handler's registry plus the jobs by kind
    (``bot.kernel.registry.Router`` is one)."""

    @property
    def jobs(self) -> Mapping[str, JobHandler]: ...


class JobRunner(DeliveryHost, Protocol):
    """What the engine runs jobs with (``bot.kernel.app.Bot`` is one)."""

    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def router(self) -> JobRegistry: ...
