"""Bolt's listeners: acknowledge at once, then hand the work to a tracked background task.

Acknowledge first, then work: every listener calls ``ack()`` before anything slow (a
``users.info``, a database transaction, a Web API call), so Slack's 3-second deadline is
met whatever the core does. The one exception is a modal submission, whose answer *is* the
acknowledgement (field errors shown inside the modal): the core gets ``form_deadline``
seconds, after which the modal closes and the outcome arrives as a message instead.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext

from adapters.slack.executor import form_metadata
from adapters.slack.handling import Handling, Judged
from adapters.slack.inbound import (
    Incoming,
    parse_block_action,
    parse_command,
    parse_direct_message,
    parse_view_submission,
    team_of,
)
from adapters.slack.lifecycle import Workspaces
from adapters.slack.receipts import EventReceipts
from adapters.slack.render import ACTION_PATTERN, FORM_PATTERN, modal_errors, render_modal
from bot.kernel.effects import Effect, FormErrors, OpenForm

__all__ = ["FORM_DEADLINE", "Listeners"]

log = logging.getLogger(__name__)

FORM_DEADLINE = 2.5  # seconds the core gets to judge a modal before Slack's 3 s run out
Spawn = Callable[[Coroutine[Any, Any, None]], None]


class Listeners:
    """What the Bolt app calls for each kind of request."""

    def __init__(
        self,
        *,
        handling: Handling,
        workspaces: Workspaces,
        receipts: EventReceipts,
        spawn: Spawn,
        form_deadline: float = FORM_DEADLINE,
    ) -> None:
        self.handling = handling
        self.workspaces = workspaces
        self.receipts = receipts
        self.spawn = spawn
        self.form_deadline = form_deadline

    def register(self, app: AsyncApp) -> None:
        app.command(re.compile(r".*"))(self.on_command)
        app.action(ACTION_PATTERN)(self.on_action)
        app.action(re.compile(r".*"))(self.on_other_action)
        app.view_submission(FORM_PATTERN)(self.on_view_submission)
        app.view_closed(re.compile(r".*"))(self.on_other_action)
        app.event("app_home_opened")(self.on_home_opened)
        app.event("message")(self.on_message)
        app.event("app_uninstalled")(self.on_uninstalled)
        app.event("tokens_revoked")(self.on_tokens_revoked)

    # --- acknowledge, then spawn -------------------------------------------------------

    async def on_command(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        self.spawn(self.handling.process(parse_command(body), context.client))

    async def on_action(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        incoming = parse_block_action(body)
        if incoming is not None:
            self.spawn(self.handling.process(incoming, context.client))

    async def on_other_action(self, ack: AsyncAck) -> None:
        await ack()

    async def on_message(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        incoming = parse_direct_message(body)
        if incoming is not None:
            self.spawn(self._once(body, self.handling.process(incoming, context.client)))

    async def on_home_opened(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        self.spawn(self._once(body, self.handling.home_opened(body, context.client)))

    async def on_uninstalled(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        self.spawn(self._once(body, self._removed(body, context, bot=True, users=[])))

    async def on_tokens_revoked(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        await ack()
        tokens = (body.get("event") or {}).get("tokens") or {}
        users = [str(u) for u in tokens.get("oauth") or []]
        bot = bool(tokens.get("bot"))
        self.spawn(self._once(body, self._removed(body, context, bot=bot, users=users)))

    async def _removed(
        self, body: dict[str, Any], context: AsyncBoltContext, *, bot: bool, users: list[str]
    ) -> None:
        workspace = context.team_id or team_of(body)
        await self.workspaces.removed(
            workspace=workspace, enterprise=context.enterprise_id, bot=bot, users=users
        )

    async def _once(self, body: dict[str, Any], work: Coroutine[Any, Any, None]) -> None:
        """Run an Events API delivery's work unless its ``event_id`` was taken on before."""
        event_id = str(body.get("event_id") or "")
        if not await self.receipts.first_time(team_of(body), event_id):
            log.info("event %s already handled; Slack's retry dropped", event_id)
            work.close()
            return
        await work

    # --- a modal: the answer is the acknowledgement ------------------------------------

    async def on_view_submission(
        self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        incoming = parse_view_submission(body)
        client = context.client
        work = asyncio.ensure_future(self.handling.judge(incoming, client))
        try:
            judged = await asyncio.wait_for(asyncio.shield(work), timeout=self.form_deadline)
        except TimeoutError:
            # The core is slow: close the modal now and answer by message when it is done.
            await ack()
            self.spawn(self.handling.late_form(work, incoming, client))
            return
        except Exception:
            log.exception("a modal submission failed")
            await ack()
            return
        rest = await self._answer_modal(ack, body, incoming, judged)
        if rest:
            actor, place, _effects = judged
            self.spawn(self.handling.execute(rest, incoming.origin, actor, place, client))

    @staticmethod
    async def _answer_modal(
        ack: AsyncAck, body: dict[str, Any], incoming: Incoming, judged: Judged
    ) -> list[Effect]:
        """Acknowledge with the field errors, the next modal, or nothing; what is left to
        carry out as messages."""
        _actor, place, effects = judged
        errors: dict[str, str] = {}
        for effect in effects:
            if isinstance(effect, FormErrors):
                errors.update(effect.errors)
        forms = [e for e in effects if isinstance(e, OpenForm)]
        if errors:
            await ack(response_action="errors", errors=modal_errors(body.get("view") or {}, errors))
            return [e for e in effects if not isinstance(e, FormErrors)]
        if forms:
            next_view = render_modal(
                forms[0].form, private_metadata=form_metadata(incoming.origin, place)
            )
            await ack(response_action="update", view=next_view)
            return [e for e in effects if e is not forms[0]]
        await ack()
        return effects
