"""The quiz's flow: each module of the feature registers on it its command, buttons, forms
and what it provides for other features (the team view's section, a hook before `forget`,
tips by id)."""

from __future__ import annotations

from bot.kernel.registry import Flow

__all__ = ["flow"]

flow = Flow("quiz")
