"""The chat backend protocol and the error every backend raises."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from ...errors import AeonError
from ...i18n import N_, _
from ..engine import ChatParams

#: Display names of the backend kinds (translated when shown: see :func:`backend_label`).
BACKEND_NAMES = {"embedded": "llama.cpp", "ollama": "Ollama", "openai": N_("OpenAI-compatible API")}


def backend_label(kind: str) -> str:
    """The name a user reads for a backend kind: ``Ollama``, ``llama.cpp``, ``OpenAI-compatible API``."""
    return _(BACKEND_NAMES[kind]) if kind in BACKEND_NAMES else kind


class BackendError(AeonError):
    """A backend could not answer. ``unavailable``: it never started answering (down, refused, wrong key), so
    another backend of the fallback order may be tried; after the first chunk a failure is final."""

    def __init__(self, message: str, *, hint: str | None = None, unavailable: bool = True) -> None:
        super().__init__(message, hint=hint)
        self.unavailable = unavailable


@runtime_checkable
class ReplyStream(Protocol):
    """One generation, as :class:`~aeon_studio.core.chat.engine.ChatStream` has it.

    Iterate once for text chunks; ``cancel()`` stops it between chunks (the text so far stays in ``text``).
    ``backend``/``backend_model``/``is_local`` say who answered (for a fallback, the backend that did).
    """

    params: ChatParams
    notices: list[str]
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str | None
    first_token_s: float | None
    elapsed_s: float
    backend: str
    backend_model: str
    is_local: bool

    def __iter__(self) -> Iterator[str]: ...

    def cancel(self) -> None: ...


@runtime_checkable
class ChatBackend(Protocol):
    """Something that answers chat messages.

    Attributes:
        name: The backend kind: ``embedded``, ``ollama`` or ``openai`` (``fallback`` for an ordered list).
        model: The model that answers (a registry id for embedded, the server's model name otherwise).
        is_local: Whether every prompt it is given stays on this computer.
    """

    name: str
    model: str
    is_local: bool

    def stream(self, messages: list[dict], params: ChatParams, *,
               local_messages: list[dict] | None = None) -> ReplyStream:
        """Start a reply (lazily: nothing is sent until the stream is iterated).

        Args:
            messages: The prompt as it may leave this computer.
            params: Sampling settings (the persona's).
            local_messages: The same prompt with private context (recalled memory notes); a backend that keeps
                prompts on this computer answers this one instead of ``messages``.
        """
        ...
