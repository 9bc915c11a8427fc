"""The Notifier port: how the sender hands one outbox row's effect to a platform.

Each adapter implements one (or, for many Slack workspaces, one per workspace or a wildcard
that makes them). The sender owns everything generic — leases, rate limits, Retry-After,
backoff, giving up — so a notifier only translates one effect into one platform call and
says what happened::

    class SlackNotifier:
        lane = "slack:T123"          # lane_for("slack", "T123")
        rate_per_second = 1.0        # optional: the platform's limit for this lane
        burst = 1                    # optional

        async def deliver(self, effect: Effect) -> DeliveryResult:
            try:
                response = await client.chat_postMessage(...)
            except SlackApiError as error:
                if error.response.status_code == 429:
                    return DeliveryResult.rate_limited(float(error.response.headers["Retry-After"]))
                if error.response["error"] in ("cannot_dm_bot", "user_not_found"):
                    return DeliveryResult.blocked(error.response["error"])
                if error.response["error"] in ("account_inactive", "invalid_auth"):
                    return DeliveryResult.uninstalled(error.response["error"])
                ...
            return DeliveryResult.sent(message_id=response["ts"])

A wildcard notifier (``lane = "slack:*"``) must also offer ``for_lane(lane) -> Notifier``;
the sender asks it for each concrete lane it meets in the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from bot.kernel.effects import Effect

__all__ = [
    "DeliveryResult",
    "DeliveryStatus",
    "IdempotentNotifier",
    "LookupNotifier",
    "Notifier",
    "WildcardNotifier",
    "lane_for",
    "platform_of",
]

DeliveryStatus = Literal["sent", "rate_limited", "transient", "blocked", "uninstalled", "permanent"]


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What happened to one delivery attempt.

    * ``sent`` — delivered; ``message_id`` is the platform's id of the new message (needed for
      ``Post`` with a ``ref_key``, so the core can update the message later).
    * ``rate_limited`` — HTTP 429; ``retry_after`` seconds from the platform's header. The
      whole lane pauses that long and slows down; the row is retried.
    * ``transient`` — a 5xx, a timeout, a dropped connection: retried with backoff (or after
      ``retry_after`` when the platform gave one). ``uncertain`` (the default) says the
      platform may have kept the message anyway; ``uncertain=False`` (a refused connection,
      an answer that says nothing was kept) lets the retry skip the look-up.
    * ``blocked`` — this person cannot be messaged (blocked DMs, left, deactivated): the row
      fails, the member is marked ``dm_blocked`` and their schedules stop.
    * ``uninstalled`` — the app lost access to the whole team (token revoked, bot kicked):
      the team is marked inactive and its rows and schedules stop.
    * ``permanent`` — this one message can never be delivered (channel gone, invalid
      payload): the row fails, nothing else changes.
    """

    status: DeliveryStatus
    message_id: str = ""
    retry_after: float | None = None
    error: str = ""
    uncertain: bool = False

    @classmethod
    def sent(cls, message_id: str = "") -> DeliveryResult:
        return cls("sent", message_id=message_id)

    @classmethod
    def rate_limited(cls, retry_after: float) -> DeliveryResult:
        return cls("rate_limited", retry_after=max(0.0, retry_after), error="rate limited")

    @classmethod
    def transient(
        cls, error: str, *, retry_after: float | None = None, uncertain: bool = True
    ) -> DeliveryResult:
        return cls("transient", retry_after=retry_after, error=error, uncertain=uncertain)

    @classmethod
    def blocked(cls, error: str) -> DeliveryResult:
        return cls("blocked", error=error)

    @classmethod
    def uninstalled(cls, error: str) -> DeliveryResult:
        return cls("uninstalled", error=error)

    @classmethod
    def permanent(cls, error: str) -> DeliveryResult:
        return cls("permanent", error=error)

    @property
    def ok(self) -> bool:
        return self.status == "sent"


@runtime_checkable
class Notifier(Protocol):
    """Delivers effects (``SendDirect``, ``Post``, ``Update``) for one lane.

    ``deliver`` must not raise for platform errors: it returns a :class:`DeliveryResult`.
    (If it raises anyway, the sender treats it as ``transient``.) Optional attributes:
    ``rate_per_second`` (default 20) and ``burst`` (default 1) set the lane's token bucket,
    ``rate_window`` (default 1 s) the window the platform counts requests in, and
    ``concurrency`` (default 4) how many requests may be in flight at once."""

    lane: str

    async def deliver(self, effect: Effect) -> DeliveryResult: ...


class IdempotentNotifier(Protocol):
    """Optional: ``deliver_once(effect, key)`` sends with the row's idempotency key (Discord:
    the message nonce with ``enforce_nonce``; Slack: message metadata naming the row). The
    sender uses it instead of ``deliver`` when a notifier offers it."""

    async def deliver_once(self, effect: Effect, key: str) -> DeliveryResult: ...


class LookupNotifier(Protocol):
    """Optional: ``find_delivered({key: effect})`` → ``{key: message id}`` for the rows the
    platform already has (Slack: the DM's recent history, by metadata). Asked before an
    uncertain row is sent again."""

    async def find_delivered(self, rows: dict[str, Effect]) -> dict[str, str]: ...


@runtime_checkable
class WildcardNotifier(Protocol):
    """A notifier for every lane of a platform (``lane = "slack:*"``)."""

    lane: str

    def for_lane(self, lane: str) -> Notifier: ...


def lane_for(platform: str, workspace_id: str) -> str:
    """The delivery lane of a team: each Slack workspace has its own rate limits and token
    (``slack:T123``); one Discord bot shares a global limit (``discord``); the console is
    one lane (``console``)."""
    if platform == "slack":
        return f"slack:{workspace_id}"
    return platform


def platform_of(lane: str) -> str:
    """``slack`` for ``slack:T123`` (used as a low-cardinality metrics label)."""
    return lane.split(":", 1)[0]
