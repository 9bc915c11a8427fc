"""Prometheus metrics of the scheduling and delivery engine.

Kept in the engine's own registry, so tests and several engines in one process never clash;
``metrics_text()`` renders it (plus the process's default collectors) for ``GET /metrics``.
Labels stay low-cardinality: the platform (``slack``), never a workspace or a person.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

__all__ = [
    "CONTENT_TYPE",
    "DELIVERY_LAG",
    "DISPATCH_SECONDS",
    "ENGINE_REGISTRY",
    "FAILED",
    "RETRIED",
    "SENT",
    "SKIPPED",
    "metrics_text",
]

CONTENT_TYPE = CONTENT_TYPE_LATEST
ENGINE_REGISTRY = CollectorRegistry(auto_describe=True)

SENT = Counter(
    "crossfade_deliveries_sent",
    "Deliveries the platform accepted.",
    ["platform", "kind"],
    registry=ENGINE_REGISTRY,
)
SKIPPED = Counter(
    "crossfade_deliveries_skipped",
    "Firings not sent on purpose (misfire past the grace window, quiet hours, away day, "
    "holiday, blocked DMs, expired before delivery).",
    ["reason", "kind"],
    registry=ENGINE_REGISTRY,
)
RETRIED = Counter(
    "crossfade_deliveries_retried",
    "Delivery attempts that will be tried again (rate limited or transient error).",
    ["platform", "reason"],
    registry=ENGINE_REGISTRY,
)
FAILED = Counter(
    "crossfade_deliveries_failed",
    "Deliveries given up for good (blocked, uninstalled, permanent error, too many retries).",
    ["platform", "reason"],
    registry=ENGINE_REGISTRY,
)
DELIVERY_LAG = Histogram(
    "crossfade_delivery_lag_seconds",
    "Time from a firing's due time to the platform accepting the message.",
    ["platform"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 1800, 3600),
    registry=ENGINE_REGISTRY,
)
DISPATCH_SECONDS = Histogram(
    "crossfade_dispatch_batch_seconds",
    "Time to claim, apply rules to, enqueue and advance one dispatcher batch.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=ENGINE_REGISTRY,
)


def metrics_text(*, include_process: bool = True) -> bytes:
    """The Prometheus text exposition: the engine's metrics, then (by default) the
    process and platform collectors of the default registry. Serve it with
    ``Content-Type: CONTENT_TYPE``."""
    body = generate_latest(ENGINE_REGISTRY)
    if include_process:
        body += generate_latest(REGISTRY)
    return body
