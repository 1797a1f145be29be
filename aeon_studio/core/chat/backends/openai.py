"""An OpenAI-compatible endpoint as a :class:`~.base.ChatBackend`: ``POST …/v1/chat/completions`` with
``"stream": true`` (OpenAI, Groq, OpenRouter, llama.cpp's server, LM Studio, vLLM…).

The reply is server-sent events: ``data: {"choices": [{"delta": {"content": "…"}, "finish_reason": null}]}``
lines, ending with ``data: [DONE]``; errors are ``{"error": {"message": "…"}}`` bodies. A server that ignores
``stream`` and answers one ``chat.completion`` object is read too.
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


def completions_url(base_url: str) -> str:
    """``https://api.groq.com/openai/v1`` → ``…/v1/chat/completions``; a bare host gets ``/v1`` first."""
    path = urlsplit(base_url).path.rstrip("/")
    if path.endswith("/chat/completions"):
        return base_url
    if not path:
        return f"{base_url}/v1/chat/completions"
    return f"{base_url}/chat/completions"


class OpenAIStream(HttpStream):
    backend = "openai"

    def _choice(self, data: dict, number: int, line: str) -> str:
        if data.get("error"):
            err = data["error"]
            message = err.get("message") if isinstance(err, dict) else err
            raise BackendError(_("{backend} at {url} reported an error: {message}").format(
                backend=self.label, url=self.url, message=message), hint=self.hint or None,
                unavailable=not self.text)
        usage = data.get("usage") or {}
        if usage:
            self.prompt_tokens = int(usage.get("prompt_tokens") or 0)
            self.server_completion_tokens = int(usage.get("completion_tokens") or 0)
        choices = data.get("choices")
        if choices is None and not usage:
            raise self.bad_json(line, number)
        if not choices:
            return ""
        choice = choices[0]
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
        part = choice.get("delta") or choice.get("message") or {}
        return part.get("content") or ""

    def _chunks(self, lines: Iterator[str]) -> Iterator[str]:
        for number, line in enumerate(lines, 1):
            if line.startswith(":") or line.startswith(("event:", "id:", "retry:")):
                continue  # SSE comments (keep-alives) and fields other than data
            if line.startswith("data:"):
                body = line[5:].strip()
                if body == "[DONE]":
                    self.finish_reason = self.finish_reason or "stop"
                    return
            elif line.lstrip().startswith("{"):
                body = line  # a whole chat.completion object: the server did not stream
            else:
                raise self.bad_json(line, number)
            try:
                data = json.loads(body)
            except ValueError:
                raise self.bad_json(line, number) from None
            if not isinstance(data, dict):
                raise self.bad_json(line, number)
            piece = self._choice(data, number, line)
            if piece:
                yield piece


class OpenAIBackend:
    """Chats through an OpenAI-compatible endpoint.

    Args:
        model: The server's model name (``llama-3.1-8b-instant`` on Groq).
        url: The API's base URL (``https://api.groq.com/openai/v1``); on this computer or https only.
        api_key: Sent as ``Authorization: Bearer …`` (from the keyring, see :mod:`.keys`); None: no header.

    Raises:
        ValidationError: the URL is neither on this computer nor https.
    """

    name = "openai"

    def __init__(self, model: str, url: str, api_key: str | None = None) -> None:
        try:
            self.url = check_base_url(url)
        except ValueError as exc:
            raise ValidationError(_("OpenAI-compatible server address: {error}.").format(error=exc),
                                  hint=_("Fix the persona's URL in the Personas tab or with 'aeon-studio personas "
                                         "edit PERSONA --url URL'.")) from exc
        self.model = model
        self._api_key = api_key
        self.is_local = is_loopback_host(urlsplit(self.url).hostname)

    def __repr__(self) -> str:  # never the key
        return f"OpenAIBackend(model={self.model!r}, url={self.url!r}, api_key={'set' if self._api_key else None})"

    def stream(self, messages: list[dict], params: ChatParams, *,
               local_messages: list[dict] | None = None) -> OpenAIStream:
        chosen = local_messages if self.is_local and local_messages is not None else messages
        payload: dict = {"model": self.model, "messages": chosen, "stream": True, "temperature": params.temperature,
                         "top_p": params.top_p, "max_tokens": params.max_tokens}
        if params.seed is not None:
            payload["seed"] = params.seed
        if params.stop:
            payload["stop"] = list(params.stop)
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        hint = _("Check the persona's URL (an OpenAI-compatible API, usually ending in /v1), the model name "
                 "({model}) and the API key.").format(model=self.model)
        return OpenAIStream(completions_url(self.url), payload, params, model=self.model, is_local=self.is_local,
                            headers=headers, hint=hint)
