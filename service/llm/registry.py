"""Models by name: `builtin`, `scripted`, and anything else goes to litellm (issue 4)."""

from __future__ import annotations

from service.config import Settings
from service.errors import ModelError
from service.llm.base import ChatModel
from service.llm.builtin import BuiltinModel, ScriptedModel


def get_model(name: str, settings: Settings) -> ChatModel:
    if name == "builtin":
        return BuiltinModel()
    if name == "scripted":
        return ScriptedModel()
    raise ModelError(f"model {name!r} is not available: only 'builtin' and 'scripted' are wired so far")
