"""quiz: balance or integration, the result, and the one-click set-up after it."""

from bot.features.quiz import team_view  # noqa: F401  (registers the quiz's team section)
from bot.features.quiz.commands import flow

__all__ = ["flow"]
