"""One module per conversation. ``build_router`` collects them into the core's router."""

from __future__ import annotations

from bot.router import Flow, Router

__all__ = ["all_flows", "build_router"]


def all_flows() -> list[Flow]:
    # Imported here so that importing bot.flows has no side effects.
    from bot.flows import (
        checkin,
        help,
        late_choice,
        logoff,
        personal,
        privacy,
        pulse,
        quiz,
        quiz_team,  # noqa: F401  (registers the quiz's team-view section)
        schedules,
        slack_connect,
        slack_dnd,
        team,
        team_settings,
        upcoming,
        workday,
    )

    return [
        help.flow,
        personal.flow,
        team_settings.flow,
        quiz.flow,
        team.flow,
        checkin.flow,
        logoff.flow,
        schedules.flow,
        pulse.flow,
        privacy.flow,
        workday.flow,
        late_choice.flow,
        slack_connect.flow,
        slack_dnd.flow,
        upcoming.flow,
    ]


def build_router() -> Router:
    return Router(all_flows())
