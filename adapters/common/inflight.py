"""Work an adapter has taken on and not finished: tracked, so that shutdown can wait for it.

Slack acknowledges first and works in tasks of its own (:meth:`InFlight.spawn`); discord.py
runs each interaction in a task it made, which counts itself while it works
(:meth:`InFlight.current`). Either way :meth:`InFlight.drain` waits for what is in flight,
including work started meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Iterator
from typing import Any

__all__ = ["InFlight"]

log = logging.getLogger(__name__)


class InFlight:
    """The tasks of one adapter that are still running. ``name`` appears in its messages."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self.tasks)

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``work`` in a task of its own, tracked until it ends; a failure is logged."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s background work failed", self.name, exc_info=task.exception())

    @contextlib.contextmanager
    def current(self) -> Iterator[None]:
        """Count the running task as work in progress while the block runs."""
        task = asyncio.current_task()
        if task is not None:
            self.tasks.add(task)
        try:
            yield
        finally:
            if task is not None:
                self.tasks.discard(task)

    async def drain(self, within: float) -> None:
        """Wait until every tracked task (including ones they start) has ended; raises
        ``TimeoutError`` when some are still running after ``within`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while pending := {t for t in self.tasks if not t.done()}:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{len(pending)} {self.name} task(s) still running")
            await asyncio.wait(pending, timeout=remaining)

    def cancel(self) -> None:
        """Cancel whatever is still running (after a drain that ran out of time)."""
        for task in list(self.tasks):
            task.cancel()
