"""The logging set-up itself: library DEBUG is dropped even when a library lowers its own
level later, and secrets are scrubbed from messages and tracebacks at any level."""

from __future__ import annotations

import logging

from tests.support.logs import debug_logs

DISCORD_TOKEN = "MTA1NTE4MjY5MjM3ODk3NDIwOA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456"


def test_library_debug_is_dropped_and_secrets_are_scrubbed() -> None:
    with debug_logs(secrets=("my-signing-secret-value",)) as out:
        gateway = logging.getLogger("discord.gateway")
        gateway.setLevel(logging.DEBUG)  # a library (or a test) lowering its own level
        gateway.debug("dispatching INTERACTION_CREATE custom_id=pulse:answer|1.2 user U7")
        logging.getLogger("slack_sdk.web").warning("call failed token=xoxb-123-abc")
        app = logging.getLogger("bot.anything")
        app.info("signing secret is my-signing-secret-value, discord %s", DISCORD_TOKEN)
        try:
            raise RuntimeError("Authorization: Bearer xoxp-999-secret")
        except RuntimeError:
            app.exception("request failed")
        app.debug("still talking")
    text = out.getvalue()
    assert "pulse:answer" not in text and "INTERACTION_CREATE" not in text
    assert "call failed token=[secret]" in text  # a library warning still gets through
    for secret in ("xoxb-123", "xoxp-999", "my-signing-secret-value", DISCORD_TOKEN):
        assert secret not in text, secret
    assert "request failed" in text and "RuntimeError" in text and "still talking" in text


def test_a_quiet_level_also_quiets_libraries() -> None:
    from bot.kernel.logs import configure_logging

    with debug_logs():
        configure_logging("ERROR")
        assert logging.getLogger("aiohttp.client").getEffectiveLevel() == logging.ERROR
        configure_logging("DEBUG")
        assert logging.getLogger("aiohttp.client").getEffectiveLevel() == logging.WARNING
