"""An Ollama server as a :class:`~.base.ChatBackend`: ``POST /api/chat`` with ``"stream": true``.

Ollama answers with one JSON object per line (NDJSON): ``{"message": {"content": "…"}, "done": false}`` per
piece, then ``{"done": true, "done_reason": "stop", "prompt_eval_count": …, "eval_count": …}``; an error is
``{"error": "…"}`` (as the body of an HTTP error, or as a line in the middle of a stream). The persona's sampling
settings go in ``options`` under Ollama's names (``num_predict`` is the reply length).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

from ...errors import ValidationError
from ...i18n import _
from ...personas import check_base_url, is_loopback_host
from ..engine import ChatParams
from .base import BackendError
from .http import HttpStream


def ollama_options(params: ChatParams) -> dict:
    """The persona's sampling settings as Ollama's ``options``."""
    options: dict = {"temperature": params.temperature, "top_p": params.top_p, "num_predict": params.max_tokens,
                     "repeat_penalty": params.repeat_penalty}
    if params.seed is not None:
        options["seed"] = params.seed
    if params.stop:
        options["stop"] = list(params.stop)
    return options


class OllamaStream(HttpStream):
    backend = "ollama"

    def _chunks(self, lines: Iterator[str]) -> Iterator[str]:
        for number, line in enumerate(lines, 1):
            try:
                data = json.loads(line)
            except ValueError:
                raise self.bad_json(line, number) from None
            if not isinstance(data, dict):
                raise self.bad_json(line, number)
            if data.get("error"):
                raise BackendError(_("Ollama at {url} reported an error: {message}").format(
                    url=self.url, message=data["error"]), hint=self.hint or None, unavailable=not self.text)
            piece = (data.get("message") or {}).get("content") or ""
            if piece:
                yield piece
            if data.get("done"):
                self.finish_reason = data.get("done_reason") or "stop"
                self.prompt_tokens = int(data.get("prompt_eval_count") or 0)
                self.server_completion_tokens = int(data.get("eval_count") or 0)
                return


class OllamaBackend:
    """Chats through an Ollama server.

    Args:
        model: An Ollama model name (``qwen2.5:1.5b``; see ``ollama list``).
        url: The server; empty: the ``ollama_host`` setting, else ``OLLAMA_HOST`` (``http://127.0.0.1:11434``).

    Raises:
        ValidationError: the URL is neither on this computer nor https.
    """

    name = "ollama"

    def __init__(self, model: str, url: str = "") -> None:
        from ...ollama.host import configured_base_url, parse_host

        self.model = model
        raw = (url if "://" in url else parse_host(url)) if url else configured_base_url()
        try:
            self.url = check_base_url(raw)
        except ValueError as exc:
            raise ValidationError(_("Ollama server address: {error}.").format(error=exc),
                                  hint=_("Fix the persona's URL, or (when it is empty) the ollama_host setting or "
                                         "OLLAMA_HOST.")) from exc
        self.is_local = is_loopback_host(urlsplit(self.url).hostname)

    def stream(self, messages: list[dict], params: ChatParams, *,
               local_messages: list[dict] | None = None) -> OllamaStream:
        chosen = local_messages if self.is_local and local_messages is not None else messages
        payload = {"model": self.model, "messages": chosen, "stream": True, "options": ollama_options(params)}
        hint = _("Is Ollama running there ('ollama serve')? Is the model pulled ('ollama pull {model}')? "
                 "'ollama list' shows the models it has.").format(model=self.model)
        return OllamaStream(f"{self.url}/api/chat", payload, params, model=self.model, is_local=self.is_local,
                            hint=hint)
