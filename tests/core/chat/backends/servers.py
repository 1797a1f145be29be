"""Small HTTP servers on 127.0.0.1 that speak Ollama's ``/api/chat`` and OpenAI's ``/v1/chat/completions``.

Each test says what the server answers with :class:`Answer` (status, content type, body parts sent one chunk
each, an optional pause between parts, and ``drop`` to cut the connection before the reply ends). The server keeps
every request it got (path, headers, JSON body) so tests can check what left the client.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Answer:
    status: int = 200
    content_type: str = "application/x-ndjson"
    parts: list[str] = field(default_factory=list)
    delay_s: float = 0.0
    drop: bool = False


def ollama_parts(pieces: list[str], *, done_reason: str = "stop", model: str = "qwen2.5:1.5b") -> list[str]:
    """An Ollama ``/api/chat`` stream: one JSON line per piece, then the ``done`` line."""
    lines = [json.dumps({"model": model, "message": {"role": "assistant", "content": p}, "done": False}) + "\n"
             for p in pieces]
    lines.append(json.dumps({"model": model, "message": {"role": "assistant", "content": ""}, "done": True,
                             "done_reason": done_reason, "prompt_eval_count": 12, "eval_count": len(pieces)}) + "\n")
    return lines


def sse_parts(pieces: list[str], *, finish: str = "stop", done: bool = True) -> list[str]:
    """An OpenAI ``chat.completion.chunk`` event stream, ending with ``data: [DONE]``."""
    def event(delta: dict, reason: str | None) -> str:
        chunk = {"id": "c1", "object": "chat.completion.chunk", "model": "m",
                 "choices": [{"index": 0, "delta": delta, "finish_reason": reason}]}
        return f"data: {json.dumps(chunk)}\n\n"

    out = [": keep-alive\n\n", event({"role": "assistant"}, None)]
    out += [event({"content": p}, None) for p in pieces]
    out.append(event({}, finish))
    if done:
        out.append("data: [DONE]\n\n")
    return out


class FakeServer:
    """A threaded HTTP server on a free loopback port; ``handler(request) -> Answer`` decides each reply."""

    def __init__(self, handler: Callable[[Request], Answer]) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet tests
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw
                req = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                owner.requests.append(req)
                answer = owner.handler(req)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for part in answer.parts:
                        data = part.encode("utf-8")
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        self.wfile.flush()
                        if answer.delay_s:
                            time.sleep(answer.delay_s)
                    if answer.drop:
                        self.close_connection = True  # no last chunk: the reply ends in the middle
                        return
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):  # the client stopped reading (Stop)
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "FakeServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """A loopback URL nothing listens on (a server that is down)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def memory_keyring():
    """Make an in-memory keyring the active one; returns (ring, the previous keyring to restore)."""
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            if self.store.pop((service, username), None) is None:
                raise PasswordDeleteError("no such password")

    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    return ring, previous
