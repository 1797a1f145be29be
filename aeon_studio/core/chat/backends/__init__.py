"""Chat backends: where a persona's prompt is answered.

Every backend implements :class:`~.base.ChatBackend`: ``stream(messages, params)`` returns a
:class:`~.base.ReplyStream` (iterate it for text chunks, ``cancel()`` stops it), and says its ``name``,
``model`` and whether prompts stay on this computer (``is_local``). The embedded llama.cpp engine
(:mod:`.embedded`), an Ollama server (:mod:`.ollama`) and OpenAI-compatible endpoints (:mod:`.openai`)
implement it; :mod:`.fallback` tries several in order. :func:`.build.backend_for` builds one from a persona.
Nothing here imports an HTTP client until a remote backend streams.
"""

from .base import BackendError, ChatBackend, ReplyStream

__all__ = ["BackendError", "ChatBackend", "ReplyStream"]
