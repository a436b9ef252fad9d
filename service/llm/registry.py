"""Models by name: `builtin`, `scripted`, and anything else goes to litellm."""

from __future__ import annotations

from service.config import Settings
from service.llm.base import ChatModel
from service.llm.builtin import BuiltinModel, ScriptedModel

OFFLINE = ("builtin", "scripted")


def get_model(name: str, settings: Settings, *, api_base: str | None = None) -> ChatModel:
    if name == "builtin":
        return BuiltinModel()
    if name == "scripted":
        if settings.scripted_replies_file is not None:
            from service.llm.scripted_file import FileScriptedModel

            return FileScriptedModel(settings.scripted_replies_file)
        return ScriptedModel()
    from service.llm.gateway import LiteLLMModel

    return LiteLLMModel(name, settings, api_base=api_base)


def validate_model(name: str, settings: Settings) -> None:
    """Raise ModelError for a name no provider can serve (no network call)."""
    if name in OFFLINE:
        return
    from service.llm.gateway import check_model_name

    check_model_name(name, settings.api_base)
