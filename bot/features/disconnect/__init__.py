"""the right to disconnect: working windows, `next`, the late-choice question, Slack
Do Not Disturb, and the works-council report."""

from bot.features.disconnect.late_choice import flow as late_choice_flow
from bot.features.disconnect.slack_connect import flow as connect_flow
from bot.features.disconnect.slack_dnd import flow as dnd_flow
from bot.features.disconnect.upcoming import flow as upcoming_flow
from bot.features.disconnect.workday import flow as workday_flow

__all__ = ["connect_flow", "dnd_flow", "late_choice_flow", "upcoming_flow", "workday_flow"]
