"""The embedded llama.cpp engine as a :class:`~.base.ChatBackend`."""

from __future__ import annotations

from collections.abc import Callable

from ..engine import ChatEngine, ChatParams, ChatStream


class EmbeddedBackend:
    """Answers with a llama.cpp model in this process; loads it on the first stream (a fallback may never need it).

    Args:
        engine: Returns the loaded engine (the chat service's ``engine_for``); called once per stream.
        model: The registry id of the model, stored with each reply.
    """

    name = "embedded"
    is_local = True

    def __init__(self, engine: Callable[[], ChatEngine], model: str) -> None:
        self._engine = engine
        self.model = model

    def stream(self, messages: list[dict], params: ChatParams, *,
               local_messages: list[dict] | None = None) -> ChatStream:
        stream = self._engine().stream(local_messages if local_messages is not None else messages, params)
        stream.backend, stream.backend_model, stream.is_local = self.name, self.model, True
        return stream
