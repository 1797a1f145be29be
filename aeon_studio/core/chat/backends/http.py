"""What the two HTTP backends share: one streamed POST through ``requests``, cancellation, errors mapped to
messages that say what happened, where, and what to do.

``requests`` (already a dependency of the Hub client) is imported on the first remote reply only. Lines are
read as they arrive (``iter_lines(chunk_size=None)`` yields each chunk of a chunked response, which is how
Ollama and OpenAI-compatible servers stream), so the first token shows as soon as the server sends it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from ...i18n import _
from ..engine import ChatParams, OnceStream
from .base import BackendError, backend_label

log = logging.getLogger(__name__)

#: Seconds to connect, and to wait for the next bytes of a reply (a big model's first token can take a while).
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 300.0


def short(text: str, limit: int = 120) -> str:
    """``text`` on one line, cut to ``limit`` characters (for quoting a server's answer in a message)."""
    one = " ".join(str(text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def connection_reason(exc: Exception) -> str:
    """Why a connection failed, in words (requests' own text is a long chain of wrapped exceptions)."""
    text = str(exc)
    for needles, reason in (
            (("Connection refused", "Errno 111", "WinError 10061"), _("connection refused: nothing answers there")),
            (("Name or service not known", "nodename nor servname", "getaddrinfo failed", "Temporary failure in name"),
             _("unknown host name")),
            (("CERTIFICATE_VERIFY_FAILED", "SSLError", "SSL:"), _("its https certificate could not be verified")),
            (("timed out", "Timeout"), _("no answer in time")),
            (("Network is unreachable",), _("network unreachable"))):
        if any(n in text for n in needles):
            return reason
    return short(text)


class HttpStream(OnceStream):
    """A reply streamed from an HTTP server; subclasses turn body lines into text (:meth:`_chunks`).

    Has the attributes of :class:`~.base.ReplyStream`. Iterating opens the connection; a failure before the first
    chunk raises :class:`BackendError` with ``unavailable=True`` (a fallback may try the next backend).
    """

    #: The backend kind (``ollama``/``openai``), set by subclasses.
    backend = ""

    def __init__(self, url: str, payload: dict[str, Any], params: ChatParams, *, model: str, is_local: bool,
                 headers: dict[str, str] | None = None, hint: str = "") -> None:
        self.url = url
        self.payload = payload
        self.params = params
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        self.backend_model = model
        self.is_local = is_local
        self.hint = hint
        self.notices: list[str] = []
        self.text = ""
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.finish_reason: str | None = None
        self.first_token_s: float | None = None
        self.elapsed_s = 0.0
        #: Tokens generated, as the server counted them (0: unknown, the chunks are counted).
        self.server_completion_tokens = 0
        self._cancel = threading.Event()
        self._response = None
        self._started = False

    @property
    def label(self) -> str:
        return backend_label(self.backend)

    def cancel(self) -> None:
        """Stop between chunks, without waiting for a server that is still thinking.

        Called from another thread (the chat's Stop): closing the response there would wait for the reader's buffer
        lock, i.e. for the server's next bytes. Shutting the socket down instead wakes the reader at once; it then
        sees the flag, and closes the response itself.
        """
        self._cancel.set()
        response = self._response
        sock = getattr(getattr(getattr(response, "raw", None), "_connection", None), "sock", None)
        if sock is not None:
            import socket

            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:  # already closed: the reader has finished
                pass


    # -- subclass API ------------------------------------------------------------------
    def _chunks(self, lines: Iterator[str]) -> Iterator[str]:
        """Turn body lines into text pieces; set ``finish_reason`` (and token counts) when the server says so."""
        raise NotImplementedError

    def _error_message(self, body: str) -> str:
        """The server's own error text in a JSON error body, else the body."""
        try:
            data = json.loads(body)
        except ValueError:
            return short(body)
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            err = err.get("message")
        return short(err or body)

    def _http_error(self, status: int, message: str) -> BackendError:
        where = self.url
        if status in (401, 403):
            return BackendError(
                _("{backend} at {url} refused the API key (HTTP {status}: {message}).").format(
                    backend=self.label, url=where, status=status, message=message),
                hint=_("Set the right key: 'aeon-studio personas edit PERSONA --api-key' (it is read from a prompt, "
                       "never the command line), or the API key field in the Personas tab."))
        return BackendError(
            _("{backend} at {url} answered HTTP {status}: {message}").format(
                backend=self.label, url=where, status=status, message=message), hint=self.hint or None)

    def bad_json(self, line: str, number: int) -> BackendError:
        """A line of the body that is not the JSON the protocol promises."""
        return BackendError(
            _("{backend} at {url} answered with something that is not JSON (line {line}: '{text}').").format(
                backend=self.label, url=self.url, line=number, text=short(line, 80)),
            hint=_("Check the persona's URL: it must point at an Ollama server (e.g. http://127.0.0.1:11434) or at "
                   "an OpenAI-compatible API (its address usually ends in /v1)."),
            unavailable=not self.text)

    # -- the request -------------------------------------------------------------------
    def _open(self):
        import requests

        try:
            response = requests.post(self.url, json=self.payload, headers=self.headers, stream=True,
                                     timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
        except requests.exceptions.Timeout as exc:
            raise BackendError(_("{backend} at {url} did not answer in time ({error}).").format(
                backend=self.label, url=self.url, error=connection_reason(exc)), hint=self.hint or None) from exc
        except requests.exceptions.RequestException as exc:
            raise BackendError(_("Could not reach {backend} at {url} ({error}).").format(
                backend=self.label, url=self.url, error=connection_reason(exc)), hint=self.hint or None) from exc
        if response.status_code >= 400:
            try:
                body = response.text
            finally:
                response.close()
            raise self._http_error(response.status_code, self._error_message(body))
        return response

    def _run(self) -> Iterator[str]:
        import requests

        t0 = time.perf_counter()
        if self._cancel.is_set():
            self.finish_reason = "stopped"
            return
        self._response = response = self._open()
        # Both protocols are UTF-8 JSON; requests would guess Latin-1 for a text/* type without a charset.
        response.encoding = "utf-8"
        try:
            lines = (line for line in response.iter_lines(chunk_size=None, decode_unicode=True) if line)
            for piece in self._chunks(lines):
                if self._cancel.is_set():
                    break
                if self.first_token_s is None:
                    self.first_token_s = time.perf_counter() - t0
                self.completion_tokens += 1
                self.text += piece
                yield piece
                if self._cancel.is_set():
                    break
            if self.server_completion_tokens:  # the server's count beats counting chunks
                self.completion_tokens = self.server_completion_tokens
            if self._cancel.is_set():
                self.finish_reason = "stopped"
            elif self.finish_reason is None:
                raise BackendError(
                    _("{backend} at {url} stopped in the middle of the reply.").format(backend=self.label,
                                                                                      url=self.url),
                    hint=_("What arrived is kept. The server may have crashed or run out of memory; try again."),
                    unavailable=not self.text)
        except (requests.exceptions.RequestException, OSError, AttributeError, ValueError) as exc:
            if self._cancel.is_set():  # the connection was closed by cancel()
                self.finish_reason = "stopped"
                return
            raise BackendError(
                _("{backend} at {url} stopped in the middle of the reply ({error}).").format(
                    backend=self.label, url=self.url, error=connection_reason(exc)),
                hint=_("What arrived is kept. The server may have crashed or run out of memory; try again."),
                unavailable=not self.text) from exc
        finally:
            response.close()
            self._response = None
            self.elapsed_s = time.perf_counter() - t0
