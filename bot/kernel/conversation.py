"""Conversations: multi-step flows declared as state machines, kept in a row.

A conversation is a flow whose buttons and forms come back: the quiz, a set-up, a
confirmation. It declares

* its **kind** and its **typed state**: a frozen dataclass, stored as JSON in the member's
  ``conversations`` row (one per member and kind, versioned so two racing presses cannot both
  win), beside the session id that its buttons carry;
* its **steps**: each button (:meth:`Conversation.action`) and form (:meth:`Conversation.form`)
  says what its value carries — always the session, then, if declared, the step it was shown
  at and what was chosen (``<session>.<step>.<choice>``) — and its handler returns what comes
  next: :class:`Next` (the new state, saved), :class:`End` (the row is deleted),
  :class:`Stay` (nothing changes: a repeat press, a question shown again) or
  :data:`MOVED_ON`;
* its **one answer to a press that no longer belongs** (``moved_on``): a button from a
  finished, cancelled or replaced session, a garbled or forged value, another person's button
  (their session is not the presser's, so it changes nothing of theirs or of the presser's).

The framework does the rest, in one place: it parses the value, loads and decodes the row,
checks that the press belongs to the session in progress (and that the state still fits, e.g.
the content it was started on), answers stale and foreign presses with the conversation's
``moved_on``, saves the next state and deletes the row at the end. Deleting is a versioned
delete: if another instance finished the same conversation a moment earlier, the transaction
fails, the event is retried, and the retry is answered "moved on". Because buttons carry the
session and the step, and the state is a row, any instance can handle any press and a restart
loses nothing::

    @dataclass(frozen=True)
    class Survey:
        step: int
        answers: Mapping[str, str]

    survey = Conversation(flow, "survey", state=Survey, moved_on=_moved_on)

    @survey.action("survey:answer", step=True, arg=True)  # value: <session>.<step>.<answer>
    async def answer(ctx: Context, live: Live[Survey], press: Press) -> Outcome[Survey]:
        if press.step != live.state.step:
            return Stay([reply("Already answered.")])  # a double click
        answers = {**live.state.answers, str(press.step): press.arg}
        if press.step + 1 == len(QUESTIONS):
            return End([reply("Thank you.")])
        return Next(Survey(press.step + 1, answers), [question(live.session, press.step + 1)])

A command starts one with ``await survey.start(ctx, Survey(0, {}))`` (replacing one in
progress, whose buttons then go stale), and looks at it with :meth:`Conversation.current`.

**State kept elsewhere.** Some flows have buttons that come back but keep no row of their own:
their state is something the feature already stores. Give ``find`` instead of ``state``:
``find(ctx, press)`` returns the state the press belongs to, or ``None`` when it is stale;
handlers then return :class:`Stay` or :class:`End` (both just show their effects). The quiz's
set-up buttons work so (the session is the result id; the state is that result while it is
the person's current one). The log-off reminders' buttons can too, replacing their ``_stale``
guards: the value is the day the reminder was for, so::

    reminder = Conversation(flow, "log-off reminder", find=_today_only, moved_on=_not_today)

    async def _today_only(ctx: Context, press: Press) -> date | None:
        day = _button_day(ctx, press.session)
        return day if day == ctx.local_today else None

    async def _not_today(ctx: Context, stale: Stale[date]) -> list[Effect]:
        day = _button_day(ctx, stale.press.session) if stale.press else None
        if day is None:
            return [reply("That button is no longer valid; nothing was changed.")]
        return [reply(f"That reminder was for {format_day(day, ctx.local_today)}, …")]

    @reminder.action(DONE)
    async def press_done(ctx: Context, live: Live[date], press: Press) -> Outcome[date]:
        return Stay(await _log_off(ctx, live.state))
"""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from bot.domain.bounds import small_int
from bot.kernel.context import Context
from bot.kernel.effects import Effect
from bot.kernel.registry import Flow

__all__ = [
    "MOVED_ON",
    "Conversation",
    "End",
    "Live",
    "Loaded",
    "Next",
    "Outcome",
    "Press",
    "Stale",
    "Stay",
    "parse_press",
]

S = TypeVar("S")

SESSION_KEY = "sid"  # where the row's JSON keeps the session id, beside the state's fields
MAX_STEP = 1000
MAX_KIND = 32  # the width of ``conversations.kind``


@dataclass(frozen=True, slots=True)
class Press:
    """What a button (or a form's id) carried: ``<session>[.<step>][.<arg>]``."""

    session: str
    step: int = -1  # the step it was shown at, when the button carries one
    arg: str = ""  # what was chosen (an answer id, a time), when it carries one


def parse_press(value: str, *, step: bool = False, arg: bool = False) -> Press | None:
    """``value`` as a :class:`Press`, or ``None`` when it is not one of ours (wrong number of
    parts, no session, a step that is not a small number)."""
    pieces = value.split(".")
    if len(pieces) != 1 + step + arg or not pieces[0]:
        return None
    number = small_int(pieces[1], high=MAX_STEP) if step else -1
    if number is None:
        return None
    return Press(pieces[0], number, pieces[-1] if arg else "")


@dataclass(frozen=True, slots=True)
class Live(Generic[S]):
    """A conversation in progress: its session (what its buttons carry) and its state."""

    session: str
    state: S


@dataclass(frozen=True, slots=True)
class Loaded(Generic[S]):
    """What a member's row of one kind holds: ``kept`` when there is a row at all; ``live``
    when its state also decodes and still fits (else it was started on other content, or is
    damaged, and a new one should start)."""

    kept: bool
    live: Live[S] | None


@dataclass(frozen=True, slots=True)
class Stale(Generic[S]):
    """Why a press is answered "moved on": ``press`` is ``None`` for a value that is not one
    of ours; ``current`` is the member's conversation in progress, if any, to offer it (never
    for a conversation that finds its state elsewhere)."""

    press: Press | None
    current: Live[S] | None


@dataclass(frozen=True, slots=True)
class Next(Generic[S]):
    """Go on with ``state`` (saved in the row, same session) and show ``effects``."""

    state: S
    effects: list[Effect]


@dataclass(frozen=True, slots=True)
class End:
    """The conversation is over: its row is deleted, and ``effects`` are shown."""

    effects: list[Effect]


@dataclass(frozen=True, slots=True)
class Stay:
    """Nothing changes (a repeat press; the step shown again): show ``effects``."""

    effects: list[Effect]


class _MovedOn:
    def __repr__(self) -> str:
        return "MOVED_ON"


# Returned by a handler when the press turns out not to fit the conversation as it is (an
# answer the question does not have): it gets the conversation's one "moved on" answer.
MOVED_ON: Final = _MovedOn()

Outcome = Next[S] | End | Stay | _MovedOn
ActionTurn = Callable[[Context, Live[S], Press], Awaitable[Outcome[S]]]
FormTurn = Callable[[Context, Live[S], Press, dict[str, str]], Awaitable[Outcome[S]]]
StaleAnswer = Callable[[Context, Stale[S]], Awaitable[list[Effect]]]
Fits = Callable[[Context, S], bool]
Find = Callable[[Context, Press], Awaitable[S | None]]
_Run = Callable[[Live[S], Press], Awaitable[Outcome[S]]]


class Conversation(Generic[S]):
    """One declared multi-step flow of ``flow`` (see the module docstring).

    Give ``state`` (a dataclass, kept as JSON in the conversation row; ``fits`` may reject a
    stored state that no longer applies) or ``find`` (the state is kept elsewhere); and
    ``moved_on``, the one answer to every press that does not belong. A conversation that is
    declared wrongly fails here, when the feature is imported."""

    def __init__(
        self,
        flow: Flow,
        kind: str,
        *,
        moved_on: StaleAnswer[S],
        state: type[S] | None = None,
        fits: Fits[S] | None = None,
        find: Find[S] | None = None,
    ) -> None:
        if not 0 < len(kind) <= MAX_KIND:
            raise TypeError(f"conversation {kind!r}: a kind has 1 to {MAX_KIND} characters")
        if (state is None) == (find is None):
            raise TypeError(f"conversation {kind!r}: give `state` (kept in a row) or `find`")
        if state is not None and not dataclasses.is_dataclass(state):
            raise TypeError(f"conversation {kind!r}: the state must be a dataclass")
        if state is not None and SESSION_KEY in {f.name for f in dataclasses.fields(state)}:
            raise TypeError(f"conversation {kind!r}: `{SESSION_KEY}` is the session's key")
        if fits is not None and state is None:
            raise TypeError(f"conversation {kind!r}: `fits` checks a state kept in a row")
        self.flow = flow
        self.kind = kind
        self._moved_on = moved_on
        self._fits = fits
        self._find = find
        self._adapter: TypeAdapter[S] | None = TypeAdapter(state) if state is not None else None

    def __repr__(self) -> str:
        return f"Conversation({self.kind!r})"

    # --- declaring the steps --------------------------------------------------------------

    def action(
        self, name: str, *, step: bool = False, arg: bool = False
    ) -> Callable[[ActionTurn[S]], ActionTurn[S]]:
        """Register the button ``name`` of this conversation. Its value carries the session,
        then the step it was shown at (``step``) and what it chose (``arg``)."""

        def register(handler: ActionTurn[S]) -> ActionTurn[S]:
            async def on_press(ctx: Context, value: str) -> list[Effect]:
                async def run(live: Live[S], press: Press) -> Outcome[S]:
                    return await handler(ctx, live, press)

                return await self._turn(ctx, parse_press(value, step=step, arg=arg), run)

            on_press.__qualname__ = on_press.__name__ = handler.__name__
            self.flow.action(name)(on_press)
            return handler

        return register

    def form(
        self, name: str, *, step: bool = False, arg: bool = False
    ) -> Callable[[FormTurn[S]], FormTurn[S]]:
        """Register the form ``name``; its id's value carries what a button's would."""

        def register(handler: FormTurn[S]) -> FormTurn[S]:
            async def on_submit(ctx: Context, value: str, values: dict[str, str]) -> list[Effect]:
                async def run(live: Live[S], press: Press) -> Outcome[S]:
                    return await handler(ctx, live, press, values)

                return await self._turn(ctx, parse_press(value, step=step, arg=arg), run)

            on_submit.__qualname__ = on_submit.__name__ = handler.__name__
            self.flow.form(name)(on_submit)
            return handler

        return register

    # --- from commands ----------------------------------------------------------------------

    async def start(self, ctx: Context, state: S) -> Live[S]:
        """Start a new session with ``state``, replacing the member's one in progress (whose
        buttons are stale from now on). Inside a turn, return :class:`Stay` after it."""
        session = secrets.token_hex(4)
        await ctx.conversations.start(ctx.member, self.kind, self._encode(session, state))
        return Live(session, state)

    async def load(self, ctx: Context) -> Loaded[S]:
        """The member's row of this kind, whether or not its state still fits."""
        row = await self._row(ctx)
        return Loaded(row is not None, self._decode(ctx, row))

    async def current(self, ctx: Context) -> Live[S] | None:
        """The member's conversation in progress, if there is one and it still fits."""
        return (await self.load(ctx)).live

    async def end(self, ctx: Context) -> None:
        """End the member's conversation of this kind, if any (``cancel`` typed)."""
        self._rows_only()
        await ctx.conversations.end(ctx.member, self.kind)

    # --- the framework ----------------------------------------------------------------------

    async def _turn(self, ctx: Context, press: Press | None, run: _Run[S]) -> list[Effect]:
        """Answer one press: the handler's outcome when it belongs to the live session, the
        conversation's ``moved_on`` answer when not."""
        row: Any = None
        current: Live[S] | None = None
        live: Live[S] | None = None
        if self._find is not None:
            found = await self._find(ctx, press) if press is not None else None
            live = Live(press.session, found) if press is not None and found is not None else None
        else:
            row = await self._row(ctx)
            current = self._decode(ctx, row)
            if press is not None and current is not None and current.session == press.session:
                live = current
        if press is None or live is None:
            return await self._moved_on(ctx, Stale(press, current))
        outcome = await run(live, press)
        if isinstance(outcome, Next):
            if row is None:
                raise TypeError(f"{self!r} keeps no row: return Stay or End")
            if outcome.state != live.state:
                await ctx.conversations.save(row, self._encode(live.session, outcome.state))
            return outcome.effects
        if isinstance(outcome, End):
            if row is not None:
                await ctx.conversations.delete(row)
            return outcome.effects
        if isinstance(outcome, Stay):
            return outcome.effects
        return await self._moved_on(ctx, Stale(press, live))

    async def _row(self, ctx: Context) -> Any:
        self._rows_only()
        return await ctx.conversations.get(ctx.member, self.kind)

    def _rows_only(self) -> None:
        if self._adapter is None:
            raise TypeError(f"{self!r} finds its state elsewhere and keeps no row")

    def _encode(self, session: str, state: S) -> dict[str, Any]:
        assert self._adapter is not None
        return {SESSION_KEY: session, **self._adapter.dump_python(state, mode="json")}

    def _decode(self, ctx: Context, row: Any) -> Live[S] | None:
        """The row's session and typed state, or ``None`` (no row, a damaged or outdated
        state)."""
        if row is None or self._adapter is None or not isinstance(row.state, dict):
            return None
        data = dict(row.state)
        session = data.pop(SESSION_KEY, None)
        if not isinstance(session, str) or not session:
            return None
        try:
            # Through JSON, so that strict mode accepts what JSON holds (a list for a tuple).
            state = self._adapter.validate_json(json.dumps(data), strict=True)
        except ValidationError:
            return None
        if self._fits is not None and not self._fits(ctx, state):
            return None
        return Live(session, state)
