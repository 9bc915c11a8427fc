"""quiz: balance or integration, the result, and the one-click set-up after it.

Its public face: the flow (the command, its buttons, the team view's section, the hook before
`forget`, tips by id) and its content, which the composition root checks at start-up."""

from bot.features.quiz import commands, team_view, tips  # noqa: F401  (each registers on the flow)
from bot.features.quiz.content import get_content
from bot.features.quiz.flow import flow

__all__ = ["flow", "get_content"]
