"""Delivery: the sender drains the outbox per lane through platform notifiers.

``Notifier`` / ``DeliveryResult`` are the port adapters implement; ``lane_for`` names a
team's lane; ``metrics_text`` is the Prometheus exposition for ``/metrics``.
"""

from bot.delivery.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.delivery.metrics import metrics_text
from bot.delivery.notifier import DeliveryResult, Notifier, WildcardNotifier, lane_for

__all__ = [
    "METRICS_CONTENT_TYPE",
    "DeliveryResult",
    "Notifier",
    "WildcardNotifier",
    "lane_for",
    "metrics_text",
]
