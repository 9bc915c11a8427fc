"""LOG_FORMAT=json: one JSON object a line with level, logger, message and, inside an event,
the team and a request id; never a token; one start-up line per adapter."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import aiohttp

from bot.kernel.logs import configure_logging, log_context
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.rig import SECRET, command_body, signed_headers
from tests.ops.support import clean_env, free_port, http_get, start_bot, stop_bot


async def test_json_lines_from_a_running_slack_bot(tmp_path: Path, fake_slack: FakeSlack) -> None:
    port = free_port()
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.api_url,
        PORT=str(port),
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",
    )
    bot = await start_bot(tmp_path, env)
    try:
        base = f"http://127.0.0.1:{port}"
        assert (await http_get(f"{base}/healthz"))[0] == 200
        body = command_body("checkin note secret-answer", response_url=fake_slack.response_url())
        headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{base}/slack/events", data=body, headers=headers) as response:
                assert response.status == 200
    finally:
        log = await stop_bot(bot)
    records = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    handled = [r for r in records if r["message"].startswith("handled Command")]
    assert handled and handled[0]["team_id"] == "T1" and len(handled[0]["request_id"]) == 12
    messages = [r["message"] for r in records]
    assert any(m.startswith("slack: HTTP mode on PORT at /slack/events") for m in messages)
    assert any(m.startswith(f"http on port {port}: /healthz, /readyz") for m in messages)
    assert "xoxb-test" not in log and SECRET not in log and "secret-answer" not in log


def test_tokens_are_scrubbed_and_ids_come_from_the_context() -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json")
    root = logging.getLogger()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    try:
        with log_context(team="T9") as request:
            logging.getLogger("x").warning("call failed with xoxb-1234-abcd and Bot abc.def")
        logging.getLogger("x").warning("outside")
    finally:
        configure_logging("WARNING", "text")
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["team_id"] == "T9" and inside["request_id"] == request
    assert "xoxb-1234" not in inside["message"]
    assert "[redacted]" in inside["message"] or "[secret]" in inside["message"]
    assert "team_id" not in outside and "request_id" not in outside
