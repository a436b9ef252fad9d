"""Models behind one tiny interface. Only this package may import litellm, and only lazily."""

from service.llm.base import ChatModel, Message, Request
from service.llm.registry import get_model

__all__ = ["ChatModel", "Message", "Request", "get_model"]
