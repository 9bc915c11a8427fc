"""The Bot: events in, effects out, one unit of work per event."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.domain.bounds import clean
from bot.domain.parsing import InputError
from bot.domain.zones import safe_zone
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.context import Context, reply
from bot.kernel.effects import Effect, Reply
from bot.kernel.errors import UserError
from bot.kernel.events import (
    Action,
    Actor,
    Command,
    DirectText,
    Event,
    FormSubmit,
    MessageRef,
    Place,
    TeamKey,
)
from bot.kernel.grammar import did_you_mean, parse_command
from bot.kernel.help import help_message
from bot.kernel.logs import log_context
from bot.kernel.registry import Router
from bot.kernel.settings import Settings
from bot.kernel.storage.availability import is_concurrent_change, is_database_unavailable
from bot.kernel.storage.db import Database
from bot.kernel.storage.models import Member, Team
from bot.kernel.storage.repositories import Members, PostedMessages, Teams
from bot.kernel.storage.uow import UnitOfWork
from bot.kernel.ui import Block, Button, Buttons, Divider, Message, Text, split_action_id
from bot.security.keys import ensure_server_keys

__all__ = ["Bot"]

log = logging.getLogger(__name__)

SORRY = (
    "Sorry — something went wrong on our side and nothing was changed. "
    "Please try again in a moment."
)
STALE = "That button belongs to something that has moved on, so nothing was changed."
_RETRIES = 3
DATABASE_AWAY = "I can't reach my database right now, try again in a minute."

FreshAdmin = Callable[[], Awaitable[bool]]


class _AdminChanged(Exception):
    def __init__(self, is_admin: bool) -> None:
        super().__init__(f"admin is {is_admin}")
        self.is_admin = is_admin


async def _confirm_admin(ctx: Context, fresh_admin: FreshAdmin | None) -> None:
    """Raise :class:`_AdminChanged` if the decision read an admin flag the platform no
    longer confirms (or now grants)."""
    if fresh_admin is None or not ctx.admin_consulted:
        return
    fresh = await fresh_admin()
    if fresh != ctx.actor.is_admin:
        raise _AdminChanged(fresh)


# The home page's buttons run these commands (when a flow registers them), in this order.
HOME_RUN = "home:run"
HOME_BUTTONS = (
    ("quiz", "Take the quiz"),
    ("checkin", "Check in now"),
    ("logoff", "Log-off reminder"),
    ("connect", "Pause Slack when I log off"),
    ("help", "All commands"),
)
# The sections of the home page, each the answer to a command without arguments.
HOME_SECTIONS = ("me", "settings")


class Bot:
    """The platform-neutral product. Adapters call :meth:`handle` and execute the effects."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings | None = None,
        clock: Clock | None = None,
        router: Router,
    ) -> None:
        self.db = db
        self.settings = settings or Settings()
        ensure_server_keys(self.settings.secret_key, db.url)
        self.clock = clock or SystemClock()
        self.router = router

    # --- events ------------------------------------------------------------------------

    async def handle(self, event: Event, *, fresh_admin: FreshAdmin | None = None) -> list[Effect]:
        """Handle one event in one transaction and return what to do on the platform.

        Never raises for anything a person did: bad input becomes a friendly reply, and an
        unexpected failure is logged and answered with an apology, with nothing committed.

        ``fresh_admin`` asks the platform, now, whether the actor is an admin. When given,
        any event whose outcome depended on the admin flag (``Context.is_admin``) is checked
        with it before anything is committed, and run again with the fresh answer if the
        adapter's (cached) flag was wrong: a demoted admin is refused at once. Adapters
        whose events carry fresh rights (Discord's interaction permissions) pass nothing.
        """
        event = clean(event)  # NUL and lone surrogates never reach the database
        with log_context(team=event.actor.team.workspace_id):
            effects = await self._handle_logged(event, fresh_admin)
            log.debug("handled %s: %d effect(s)", type(event).__name__, len(effects))
            return effects

    async def _handle_logged(self, event: Event, fresh_admin: FreshAdmin | None) -> list[Effect]:
        for attempt in range(_RETRIES):
            try:
                return await self._handle_once(event, fresh_admin)
            except _AdminChanged as changed:
                log.info("admin flag of %s was stale; judged again", event.actor.user_id)
                actor = replace(event.actor, is_admin=changed.is_admin)
                event, fresh_admin = replace(event, actor=actor), None
            except InputError as error:
                return [reply(str(error))]
            except Exception as error:
                if is_database_unavailable(error):
                    # The database is restarting or out of reach: nothing was stored, so
                    # the person can simply try again in a moment.
                    log.warning("database unavailable while handling %s", type(event).__name__)
                    return [reply(DATABASE_AWAY)]
                if not is_concurrent_change(error):
                    log.exception("handling %s failed", type(event).__name__)
                    return [reply(SORRY)]
                # Another instance or a double click changed the same row: start again from
                # the fresh state, which the handlers are written to judge.
                log.info("retrying %s after a concurrent change (%s)", type(event).__name__, error)
                if attempt == _RETRIES - 1:
                    break
        return [reply(SORRY)]

    def is_anonymous(self, event: Event) -> bool:
        """Whether ``event`` is on an answer path (a pulse vote): then nothing about the person
        may be written — adapters ask this before refreshing their caches of people."""
        return isinstance(event, Action) and event.action in self.router.anonymous_actions

    async def _handle_once(self, event: Event, fresh_admin: FreshAdmin | None) -> list[Effect]:
        anonymous = self.is_anonymous(event)
        async with self.db.uow() as uow:
            # A team row names no person (and a vote in a team never seen finds no poll).
            team = await Teams(uow.session).get_or_create(
                event.actor.team, default_timezone=self.settings.default_timezone
            )
            if anonymous:
                member, created = await _read_only_member(uow, team, event.actor), False
            else:
                member, created = await Members(uow.session, team).get_or_create(event.actor)
            await uow.flush()
            ctx = Context(
                uow=uow,
                team=team,
                member=member,
                actor=event.actor,
                place=getattr(event, "place", None) or _dm(),
                now=self.clock.now(),
                registry=self.router,
                settings=self.settings,
                message_ref=getattr(event, "message_ref", None),
                first_contact=created,
            )
            try:
                effects = await self._route(ctx, event)
                for after in () if anonymous else self.router.after_event:
                    effects = await after(ctx, effects)
            except UserError as error:
                await uow.rollback()
                await _confirm_admin(ctx, fresh_admin)
                return [reply(str(error))]
            try:
                await _confirm_admin(ctx, fresh_admin)
            except _AdminChanged:
                await uow.rollback()
                raise
            await uow.commit()
            return effects

    async def _route(self, ctx: Context, event: Event) -> list[Effect]:
        if isinstance(event, Command):
            return await self._command(ctx, event)
        if isinstance(event, Action):
            return await self._action(ctx, event)
        if isinstance(event, FormSubmit):
            return await self._form(ctx, event)
        return await self._direct_text(ctx, event)

    async def _command(self, ctx: Context, event: Command) -> list[Effect]:
        parsed = parse_command(event.text)
        spec = self.router.find_command(parsed.name)
        if spec is None:
            return self._unknown_command(parsed.name)
        if spec.admin and not ctx.is_admin:
            raise UserError(
                f"`{spec.name}` is for team admins. Ask an admin of this "
                f"{'workspace' if ctx.actor.platform == 'slack' else 'team'} to run it."
            )
        return await spec.handler(ctx, parsed)

    def _unknown_command(self, name: str) -> list[Effect]:
        names = [*self.router.commands, *self.router.aliases]
        guess = did_you_mean(name, names)
        shown = name if len(name) <= 30 else name[:29] + "…"
        lead = f"I don't know the command “{shown}”."
        if guess:
            lead += f" Did you mean `/crossfade {self.router.aliases.get(guess, guess)}`?"
        return [Reply(help_message(self.router, lead=lead))]

    async def _action(self, ctx: Context, event: Action) -> list[Effect]:
        if event.action == HOME_RUN:
            # a home-page button: the same as typing the command
            return await self._command(ctx, Command(event.actor, event.value, ctx.place))
        handler = self.router.actions.get(event.action)
        if handler is None:
            log.info("no handler for action %r", event.action)
            return [reply(STALE)]
        return await handler(ctx, event.value)

    async def _form(self, ctx: Context, event: FormSubmit) -> list[Effect]:
        name, value = split_action_id(event.form)
        handler = self.router.forms.get(name)
        if handler is None:
            return [reply("That form has expired. Please start again.")]
        values = {k: (v or "").strip() for k, v in event.values.items()}
        return await handler(ctx, value, values)

    async def _direct_text(self, ctx: Context, event: DirectText) -> list[Effect]:
        for handler in self.router.direct_text:
            effects = await handler(ctx, event.text)
            if effects is not None:
                return effects
        # "help", "quiz" or "/crossfade me" typed into the DM: the meaning is plain.
        text = event.text.strip().removeprefix("/").strip()
        first = text.split(maxsplit=1)[0].lower() if text else ""
        if first and first != "crossfade" and self.router.find_command(first) is not None:
            return await self._command(ctx, Command(event.actor, text, ctx.place))
        if first == "crossfade":
            return await self._command(ctx, Command(event.actor, text, ctx.place))
        return [
            Reply(
                Message(
                    "Hi! I answer to commands.",
                    (
                        Text(
                            "Hi! I answer to `/crossfade` commands — try `/crossfade help`, or "
                            "`/crossfade quiz` to find out whether balance or integration fits "
                            "you."
                        ),
                    ),
                )
            )
        ]

    # --- what adapters ask of the core -----------------------------------------------

    async def remember_post(self, team: TeamKey, ref_key: str, ref: MessageRef) -> None:
        """Adapters call this after executing a ``Post`` with a ``ref_key``."""
        if not ref_key:
            return
        async with self.db.uow() as uow:
            row = await Teams(uow.session).get(team)
            if row is None:
                return
            await PostedMessages(uow.session, row).remember(ref_key, ref)
            await uow.commit()

    async def knows(self, team: TeamKey, user_id: str) -> bool:
        """Whether the core holds a member row for this person (read-only). Adapters ask it
        before caching a person, so nothing is recreated for someone who used `forget`."""
        async with self.db.uow() as uow:
            row = await Teams(uow.session).get(team)
            return row is not None and await Members(uow.session, row).get(user_id) is not None

    async def home(self, actor: Actor, *, create: bool = True) -> Message:
        """A person's home page (Slack's App Home tab): buttons for the main commands, then
        the ``me`` dashboard and the settings, each exactly what the command without
        arguments answers (so it shows whatever the flows that exist offer).

        ``create=False`` (a refresh, not the person opening it) writes nothing for someone
        the core does not know: their page then has the buttons and no sections."""
        buttons = tuple(
            Button(label, HOME_RUN, name)
            for name, label in HOME_BUTTONS
            if self.router.find_command(name) is not None
        )
        blocks: list[Block] = [
            Text(
                "*Crossfade* — work-life *balance* or *integration*: find which fits you, "
                "and let the bot help you live by it."
            )
        ]
        if buttons:
            blocks.append(Buttons(buttons))
        if not create and not await self.knows(actor.team, actor.user_id):
            blocks.append(Text("Nothing is stored about you."))
            return Message("Crossfade home", tuple(blocks))
        for name in HOME_SECTIONS:
            if self.router.find_command(name) is None:
                continue
            for effect in await self.handle(Command(actor, name, Place.dm())):
                if isinstance(effect, Reply):
                    blocks += [Divider(), *effect.message.blocks]
        return Message("Crossfade home", tuple(blocks))

    async def zone_of(self, team: TeamKey, user_id: str) -> ZoneInfo:
        """The zone the core uses for this person (for adapters that show local times)."""
        async with self.db.uow() as uow:
            row = await Teams(uow.session).get(team)
            if row is None:
                return safe_zone(None, self.settings.default_timezone)
            member = await Members(uow.session, row).get(user_id)
            return safe_zone(member.timezone if member else None, row.default_timezone)


def _dm() -> Place:
    return Place.dm()


async def _read_only_member(uow: UnitOfWork, team: Team, actor: Actor) -> Member:
    """The person as stored, or — someone the bot has not met — a member that is never
    added to the session. Either way nothing is written: no row created, nothing refreshed
    (a changed name or admin flag waits for their next ordinary event)."""
    member = await Members(uow.session, team).get(actor.user_id)
    if member is not None:
        return member
    return Member(
        team_id=team.id,
        platform_user_id=actor.user_id,
        display_name=actor.display_name[:200],
        is_admin=actor.is_admin,
    )
