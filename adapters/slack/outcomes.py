"""Slack's errors in the delivery port's terms (``bot.delivery.notifier.DeliveryResult``).

* HTTP 429 → ``rate_limited`` with Slack's ``Retry-After`` (the whole lane pauses);
* the person cannot be messaged (``user_not_found``, ``cannot_dm_bot``, ``user_disabled``,
  an inactive account…) → ``blocked``: their schedules stop;
* the app lost the workspace (``invalid_auth``, ``token_revoked``, no installation…) →
  ``uninstalled``: the team is deactivated;
* this message can never go (``channel_not_found``, ``not_in_channel``…) → ``permanent``;
* anything else (5xx, timeouts) → ``transient``.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from adapters.slack.messages import error_code
from bot.delivery.notifier import DeliveryResult

__all__ = ["BLOCKED", "PERMANENT", "UNINSTALLED", "classify", "http_status", "is_rate_limited"]

BLOCKED = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "user_is_restricted",
        "user_is_bot",
        "messages_tab_disabled",
        "not_allowed_token_type_for_user",
    }
)
UNINSTALLED = frozenset(
    {
        "invalid_auth",
        "account_inactive",
        "not_authed",
        "token_revoked",
        "token_expired",
        "team_access_not_granted",
        "team_not_found",
        "ekm_access_denied",
        "org_login_required",
        "no_installation",
    }
)
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "invalid_blocks_format",
        "too_many_attachments",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "missing_scope",
        "not_allowed_token_type",
        "duplicate_channel_not_found",
        "team_access_revoked",
    }
)


SERVER_SIDE = frozenset({"internal_error", "fatal_error", "service_unavailable"})


def _retry_after(error: SlackApiError) -> float:
    headers = getattr(error.response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return float(value)
            except (TypeError, ValueError):
                break
    return 1.0


def http_status(error: SlackApiError) -> int:
    return int(getattr(error.response, "status_code", 200) or 200)


def classify(error: SlackApiError, *, recipient_call: bool = False) -> DeliveryResult:
    """The port's verdict on a Slack error. ``recipient_call``: the failed call was about
    the person (opening or posting to their DM), so person-level errors block them."""
    code = error_code(error)
    if is_rate_limited(error):
        return DeliveryResult.rate_limited(_retry_after(error))
    if code in UNINSTALLED:
        return DeliveryResult.uninstalled(code)
    if code in BLOCKED or (recipient_call and code in ("channel_not_found", "is_archived")):
        return DeliveryResult.blocked(code)
    if code in PERMANENT:
        return DeliveryResult.permanent(code)
    if http_status(error) >= 500 or code in SERVER_SIDE:
        return DeliveryResult.transient(code)
    return DeliveryResult.transient(code)


def is_rate_limited(error: SlackApiError) -> bool:
    return http_status(error) == 429 or error_code(error) == "ratelimited"
