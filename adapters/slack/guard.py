"""What stands between the open internet and the Slack app, before Bolt sees a request.

* **Headers**: a timestamp that is not a plain number, or a signature that is not
  ``v0=`` and 64 hex digits, is answered 400/401 here — never a 500 from deeper down.
* **Signatures** are verified with slack-sdk's :class:`SignatureVerifier` (Bolt checks
  again; an HMAC costs microseconds).
* **Replays**: Slack's scheme has no nonce, so a captured request stays valid for five
  minutes. :class:`ReplayGuard` keeps a SHA-256 of every signature served until the end of
  its five-minute bucket, in the database shared by every instance; a second sight is 401.
* **Metric labels** come only from the closed sets here; anything refused counts under
  ``refused``, so no request body can grow ``/metrics``.
* **Install pages** issue OAuth states only within a rate (per client and overall) and
  only while fewer than :data:`MAX_OPEN_STATES` are waiting.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping

from slack_sdk.signature import Clock as Clock_
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from adapters.slack.models import SeenSignature, SlackOAuthState
from bot.kernel.clock import Clock
from bot.kernel.storage.db import Database

__all__ = [
    "KINDS",
    "REFUSED",
    "InstallLimit",
    "ReplayGuard",
    "check_headers",
    "request_kind",
    "status_label",
    "verify",
]

log = logging.getLogger(__name__)

WINDOW = 300  # seconds: Slack's (and slack-sdk's) timestamp tolerance, either way
BUCKET = 300  # a stored expiry is rounded up to this, so it tells no precise time
PURGE_EVERY = 60.0
MAX_OPEN_STATES = 500

REFUSED = "refused"
KINDS = frozenset(
    {
        "command",
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "event_callback",
        "url_verification",
        "app_rate_limited",
        "other",
        REFUSED,
    }
)
STATUSES = frozenset({"200", "400", "401", "404", "413", "429", "500", "503"})
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def request_kind(body: Mapping[str, object]) -> str:
    """The label of a verified request: one of :data:`KINDS`, whatever the body says."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) and kind in KINDS else "other"


def status_label(status: int) -> str:
    text = str(status)
    return text if text in STATUSES else "other"


def check_headers(headers: Mapping[str, str]) -> tuple[int, str] | None:
    """``(status, reason)`` for a request whose signing headers cannot even be checked."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if timestamp is None or signature is None:
        return 401, "unsigned"
    if not _TIMESTAMP.fullmatch(timestamp):
        return 400, "malformed timestamp"
    if not _SIGNATURE.fullmatch(signature):
        return 401, "malformed signature"
    return None


def verify(secret: str, body: str, headers: Mapping[str, str], *, now: float) -> bool:
    verifier = SignatureVerifier(secret, clock=_FixedClock(now))
    return verifier.is_valid(
        body,
        headers.get("X-Slack-Request-Timestamp", ""),
        headers.get("X-Slack-Signature", ""),
    )


class _FixedClock(Clock_):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


class ReplayGuard:
    """Signatures already served, shared by every instance through the database."""

    def __init__(self, db: Database, *, wall: Callable[[], float] = time.time) -> None:
        self.db = db
        self.wall = wall
        self._purged_at = 0.0

    @staticmethod
    def expiry(timestamp: int) -> int:
        """The end of the bucket after which the signature fails the timestamp check."""
        last_valid = timestamp + WINDOW
        return -(-last_valid // BUCKET) * BUCKET

    async def first_time(self, signature: str, timestamp: int) -> bool:
        """``True`` the first time a signature is seen; ``False`` for a replay."""
        digest = hashlib.sha256(signature.encode()).hexdigest()
        now = self.wall()
        try:
            async with self.db.uow() as uow:
                if now - self._purged_at >= PURGE_EVERY:
                    self._purged_at = now
                    await uow.session.execute(
                        delete(SeenSignature).where(SeenSignature.expires < int(now))
                    )
                uow.session.add(SeenSignature(digest=digest, expires=self.expiry(timestamp)))
                await uow.commit()
        except IntegrityError:
            return False
        return True


class InstallLimit:
    """How often the install page may issue an OAuth state: ``per_client`` a minute from
    one address, ``overall`` a minute from everyone, and never beyond
    :data:`MAX_OPEN_STATES` unexpired states in the database."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        per_client: int = 10,
        overall: int = 120,
        monotonic: Callable[[], float] = time.monotonic,
        clients: int = 10_000,
    ) -> None:
        self.db = db
        self.clock = clock
        self.per_client = per_client
        self.overall = overall
        self.monotonic = monotonic
        self.clients = clients
        self._seen: OrderedDict[str, list[float]] = OrderedDict()
        self._all: list[float] = []

    def _recent(self, times: list[float], now: float) -> list[float]:
        return [t for t in times if now - t < 60.0]

    async def allow(self, client: str) -> bool:
        now = self.monotonic()
        self._all = self._recent(self._all, now)
        mine = self._recent(self._seen.pop(client, []), now)
        if len(mine) >= self.per_client or len(self._all) >= self.overall:
            self._seen[client] = mine
            return False
        async with self.db.uow() as uow:
            await uow.session.execute(
                delete(SlackOAuthState).where(SlackOAuthState.expire_at < self.clock.now())
            )
            open_states = await uow.session.scalar(select(func.count(SlackOAuthState.id)))
            await uow.commit()
        if int(open_states or 0) >= MAX_OPEN_STATES:
            log.warning("install page: %s OAuth states waiting; refusing more", open_states)
            return False
        mine.append(now)
        self._all.append(now)
        self._seen[client] = mine
        while len(self._seen) > self.clients:
            self._seen.popitem(last=False)
        return True
