"""Scoring the balance-vs-integration quiz: pure values in, a verdict out.

Each chosen answer moves a total on the balance ⟷ integration axis (negative toward balance,
positive toward integration) and may raise flags. The total picks Balance, Crossfade or
Integration; then the hard rules from the source text win over the number:

* a clock-in/clock-out role (``clock_in_role``) is never told that integration fits: an
  Integration total becomes Crossfade, and any result but Balance carries the warning;
* someone who ruminates about work (``ruminates``) can't switch off, and integration is not
  for people who can't switch off: an Integration total becomes Crossfade, and the warning
  always comes with the result.

Answers that show exhaustion (stress and little downtime, :func:`is_exhausted`) put
recovery first in the result, whatever it is.

The verdict also names the two or three answers that decided it, so the person sees *why*.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "CLOCK_IN_ROLE",
    "HARD_RULE_FLAGS",
    "RUMINATES",
    "Choice",
    "Result",
    "Verdict",
    "is_exhausted",
    "result_for_total",
    "score_quiz",
    "warnings_for",
]

Result = Literal["balance", "integration", "crossfade"]

CLOCK_IN_ROLE = "clock_in_role"
RUMINATES = "ruminates"
# Flags the code depends on: the content files must declare them, raise them from at least
# one answer and carry a warning text for each.
HARD_RULE_FLAGS = (CLOCK_IN_ROLE, RUMINATES)
HIGH_STRESS = "high_stress"
LOW_DOWNTIME = "low_downtime"

MAX_REASONS = 3


@dataclass(frozen=True, slots=True)
class Choice:
    """One answered question, as scoring needs it."""

    question: str
    answer: str
    score: int
    flags: frozenset[str] = frozenset()
    why: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome. ``warnings`` are hard-rule flag ids, in a stable order; ``reasons`` are
    the deciding answers, most decisive first; ``capped`` says a hard rule changed the result
    the total alone would have given (``by_total``)."""

    result: Result
    total: int
    by_total: Result
    flags: frozenset[str]
    warnings: tuple[str, ...]
    reasons: tuple[Choice, ...]
    capped: bool = field(default=False)


def result_for_total(total: int, *, balance_at_most: int, integration_at_least: int) -> Result:
    """What the total alone says."""
    if total <= balance_at_most:
        return "balance"
    if total >= integration_at_least:
        return "integration"
    return "crossfade"


def score_quiz(
    choices: Sequence[Choice], *, balance_at_most: int, integration_at_least: int
) -> Verdict:
    """Score a complete answer sheet and apply the hard rules.

    Promises, for every input: a ``clock_in_role`` flag never yields ``integration``, and
    yields the ``clock_in_role`` warning whenever the result is not ``balance``; a
    ``ruminates`` flag always yields the ``ruminates`` warning.
    """
    total = sum(c.score for c in choices)
    flags = frozenset(flag for c in choices for flag in c.flags)
    by_total = result_for_total(
        total, balance_at_most=balance_at_most, integration_at_least=integration_at_least
    )
    result = by_total
    capped = False
    # Integration is not for people held to the clock, nor for those who can't switch off:
    # both hard rules cap it at Crossfade, whatever the total.
    capped_by = next((f for f in HARD_RULE_FLAGS if f in flags), None)
    if capped_by is not None and result == "integration":
        result, capped = "crossfade", True
    else:
        capped_by = None

    return Verdict(
        result=result,
        total=total,
        by_total=by_total,
        flags=flags,
        warnings=warnings_for(result, flags),
        reasons=_reasons(choices, result=result, flags=flags, capped_by=capped_by),
        capped=capped,
    )


def warnings_for(result: Result, flags: Iterable[str]) -> tuple[str, ...]:
    """The hard-rule warnings a result with these flags must carry, in a stable order."""
    raised = set(flags)
    warnings: list[str] = []
    if CLOCK_IN_ROLE in raised and result != "balance":
        warnings.append(CLOCK_IN_ROLE)
    if RUMINATES in raised:
        warnings.append(RUMINATES)
    return tuple(warnings)


def is_exhausted(flags: Iterable[str]) -> bool:
    """Stressed or worn out *and* short of downtime: recovery comes before any approach."""
    raised = set(flags)
    return HIGH_STRESS in raised and LOW_DOWNTIME in raised


def _reasons(
    choices: Sequence[Choice], *, result: Result, flags: frozenset[str], capped_by: str | None
) -> tuple[Choice, ...]:
    """The two or three answers that decided ``result``, most decisive first.

    Balance and Integration: the answers that pulled hardest that way. Crossfade: the
    strongest pull each way (that is what makes it a blend), then the next strongest. When
    a hard rule capped the result, the answer that raised it comes first: it decided.
    """
    order = {id(c): i for i, c in enumerate(choices)}
    first: list[Choice] = []
    if capped_by is not None:
        first = [c for c in choices if capped_by in c.flags][:1]
    # An answer that can't switch off always explains the result, whichever way it went.
    first += [c for c in choices if RUMINATES in c.flags and c not in first][:1]

    def strongest(pool: Iterable[Choice], sign: int) -> list[Choice]:
        return sorted(
            (c for c in pool if c.score * sign > 0), key=lambda c: (-c.score * sign, order[id(c)])
        )

    if result == "balance":
        ranked = strongest(choices, -1)
    elif result == "integration":
        ranked = strongest(choices, +1)
    else:
        toward_balance, toward_integration = strongest(choices, -1), strongest(choices, +1)
        heads = [*toward_balance[:1], *toward_integration[:1]]
        rest = sorted(
            (c for c in choices if c not in heads and c.score != 0),
            key=lambda c: (-abs(c.score), order[id(c)]),
        )
        ranked = heads + rest
        # An answer sheet of neutral answers still deserves a why: the neutral answers are it.
        if not ranked:
            ranked = list(choices)

    picked: list[Choice] = []
    for choice in [*first, *ranked]:
        if choice not in picked and choice.why:
            picked.append(choice)
        if len(picked) == MAX_REASONS:
            break
    return tuple(picked)
