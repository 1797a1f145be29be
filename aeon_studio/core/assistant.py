"""The Python API seed users know: ``Assistant(persona="casual").generate("Como funciona a Lua?")``."""

from __future__ import annotations

from collections.abc import Iterator

from .chat.service import Reply
from .services import build_chat_service


class Assistant:
    """A conversation with a persona; every exchange is stored like one in the app."""

    def __init__(self, persona: str = "casual", model: str | None = None, *,
                 conversation_id: int | None = None) -> None:
        self.service = build_chat_service()
        if conversation_id is None:
            self.conversation = self.service.new_conversation(persona, model)
        else:
            self.conversation = self.service.store.get_conversation(conversation_id)
        self.persona = persona
        self.model = model or self.conversation.model_id
        self.last_reply: Reply | None = None

    @property
    def conversation_id(self) -> int:
        return self.conversation.id

    def stream(self, text: str, *, seed: int | None = None) -> Iterator[str]:
        self.last_reply = self.service.send(self.conversation_id, text, persona_key=self.persona,
                                            model_id=self.model, seed=seed)
        return iter(self.last_reply)

    def generate(self, text: str, *, seed: int | None = None) -> str:
        """Send ``text``, wait for the whole reply, store the exchange and return the reply."""
        for _piece in self.stream(text, seed=seed):
            pass
        return self.last_reply.text

    def rate(self, likert: int) -> None:
        """Rate the last reply 1–5."""
        if self.last_reply is None or self.last_reply.message is None:
            raise RuntimeError("there is no stored reply to rate yet")
        self.service.store.rate(self.last_reply.message.id, likert)
