"""A fallback order of chat backends: the first that starts answering writes the reply.

A backend that fails *before its first chunk* (down, refused, wrong key, unknown model, a model file that will
not load) is skipped with a notice saying why; one that fails after it has started ends the reply (its text so
far is kept), because a reply is never stitched from two models.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from ...errors import AeonError
from ...i18n import _
from ..engine import ChatParams, OnceStream
from .base import BackendError, ChatBackend, ReplyStream, backend_label


def describe(backend: ChatBackend) -> str:
    """``Ollama (qwen2.5:1.5b)`` — the backend's name and model, for notices."""
    return f"{backend_label(backend.name)} ({backend.model})"


class FallbackStream(OnceStream):
    """Streams from the first backend of ``backends`` that answers; after that, its attributes are that reply's."""

    def __init__(self, backends: list[ChatBackend], messages: list[dict], params: ChatParams,
                 local_messages: list[dict] | None) -> None:
        self.backends = backends
        self.messages = messages
        self.local_messages = local_messages
        self.params = params
        self.notices: list[str] = []
        self._inner: ReplyStream | None = None
        self._finish: str | None = None
        self._cancel = threading.Event()
        self._started = False

    def _get(self, name: str, default):
        return getattr(self._inner, name) if self._inner is not None else default

    text = property(lambda self: self._get("text", ""))
    prompt_tokens = property(lambda self: self._get("prompt_tokens", 0))
    completion_tokens = property(lambda self: self._get("completion_tokens", 0))
    first_token_s = property(lambda self: self._get("first_token_s", None))
    elapsed_s = property(lambda self: self._get("elapsed_s", 0.0))
    backend = property(lambda self: self._get("backend", self.backends[0].name))
    backend_model = property(lambda self: self._get("backend_model", self.backends[0].model))
    is_local = property(lambda self: self._get("is_local", all(b.is_local for b in self.backends)))

    @property
    def finish_reason(self) -> str | None:
        return self._finish if self._inner is None else self._inner.finish_reason

    def cancel(self) -> None:
        self._cancel.set()
        if self._inner is not None:
            self._inner.cancel()


    def _run(self) -> Iterator[str]:
        failed: list[tuple[ChatBackend, AeonError]] = []
        for backend in self.backends:
            if self._cancel.is_set():
                self._finish = "stopped"
                return
            try:
                stream = backend.stream(self.messages, self.params, local_messages=self.local_messages)
                self._inner = stream
                if self._cancel.is_set():
                    stream.cancel()
                pieces = iter(stream)
                first = next(pieces, None)
            except AeonError as exc:  # BackendError, or a model file the embedded engine cannot load
                if isinstance(exc, BackendError) and not exc.unavailable:
                    raise
                self._inner = None
                failed.append((backend, exc))
                continue
            if failed:
                self.notices.append(self._skipped_notice(failed, backend))
            if first is not None:
                yield first
                yield from pieces
            return
        raise BackendError(
            _("None of this persona's backends could answer:") + "".join(
                f"\n• {describe(b)}: {exc.message}" for b, exc in failed),
            hint=failed[-1][1].hint)

    @staticmethod
    def _skipped_notice(failed: list[tuple[ChatBackend, AeonError]], answered: ChatBackend) -> str:
        skipped = "; ".join(f"{describe(b)}: {exc.message}" for b, exc in failed)
        return _("Answered by {backend}, the next in the fallback order ({skipped}).").format(
            backend=describe(answered), skipped=skipped)


class FallbackBackend:
    """Several backends tried in order (e.g. Ollama on this computer first, then an online API).

    ``is_local`` is True only when every backend keeps prompts on this computer; the chat marks a persona whose
    order includes an online backend.
    """

    name = "fallback"

    def __init__(self, backends: list[ChatBackend]) -> None:
        if not backends:
            raise ValueError("a fallback order needs at least one backend")
        self.backends = list(backends)
        self.model = self.backends[0].model
        self.is_local = all(b.is_local for b in self.backends)

    def stream(self, messages: list[dict], params: ChatParams, *,
               local_messages: list[dict] | None = None) -> FallbackStream:
        return FallbackStream(self.backends, messages, params, local_messages)
