"""The shell every adapter shares: effect dispatch (one ``match`` over the Effect union),
in-flight work tracked and drained on shutdown, and the apology when handling an event
failed. Each platform supplies a sender (and renders messages its own way inside it)."""

from adapters.common.apology import apology, or_apologise
from adapters.common.dispatch import EffectSender, dispatch
from adapters.common.inflight import InFlight

__all__ = ["EffectSender", "InFlight", "apology", "dispatch", "or_apologise"]
