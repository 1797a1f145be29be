"""A tiny Hugging Face Hub on the loopback, for the real ``huggingface_hub`` client (``HF_ENDPOINT``).

It answers the three requests a GGUF download makes, with the headers the client reads
(huggingface_hub/file_download.py, ``get_hf_file_metadata`` and ``http_get``):

- ``GET /api/models/<repo>[/revision/<rev>]?blobs=true``: the model info JSON (``id``, ``sha``, ``siblings`` with
  ``size``, ``blobId`` and ``lfs: {size, sha256, pointerSize}``); 404 with ``X-Error-Code: RepoNotFound`` for an
  unknown repo, 401 with ``X-Error-Code: GatedRepo`` for a gated one.
- ``HEAD|GET /<repo>/resolve/<rev>/<file>``: a 302 to a "CDN" on another host name (``localhost`` instead of
  ``127.0.0.1``, so the client treats it as off the Hub) with ``X-Repo-Commit``, ``X-Linked-Etag`` (the LFS
  sha256), ``X-Linked-Size`` and ``ETag``, as the Hub does for LFS files.
- ``HEAD|GET /cdn/<sha256>``: the bytes, with ``Accept-Ranges``, ``ETag`` and ``Range`` → 206 + ``Content-Range``.

Faults for tests: ``cut_after`` (the next N GETs of the bytes stop after that many bytes and drop the connection),
``corrupt`` (serve other bytes than the checksum says), ``hang`` (never answer the API), ``slow`` (seconds
between 4 KiB pieces of the bytes).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

COMMIT = "a" * 40


@dataclass
class FakeRepo:
    files: dict[str, bytes]  # file name → bytes
    gated: bool = False
    extra: list[str] = field(default_factory=list)  # non-GGUF files listed (README.md, …)


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, FakeRepo] = {}
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Range header)
        self.cut_after: int | None = None
        self.cuts_left = 0
        self.corrupt = False
        self.hang = False
        self.slow = 0.0
        self.bytes_sent = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeHub":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.hang = False
        self._server.shutdown()
        self._server.server_close()

    def blob(self, sha: str) -> bytes | None:
        for repo in self.repos.values():
            for data in repo.files.values():
                if hashlib.sha256(data).hexdigest() == sha:
                    return data
        return None

    def _handler(self):
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet tests
                pass

            def do_HEAD(self) -> None:
                self._route(head=True)

            def do_GET(self) -> None:
                self._route(head=False)

            def _send(self, code: int, headers: dict[str, str], body: bytes = b"", head: bool = False) -> None:
                self.send_response(code)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", headers.get("Content-Length", str(len(body))))
                self.end_headers()
                if not head and body:
                    self.wfile.write(body)

            def _route(self, head: bool) -> None:
                path = self.path.split("?", 1)[0]
                hub.requests.append((self.command, path, self.headers.get("Range")))
                if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/([^/]+))?", path):
                    return self._info(m.group(1), head)
                if m := re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path):
                    return self._resolve(m.group(1), m.group(3), head)
                if m := re.fullmatch(r"/cdn/([0-9a-f]{64})", path):
                    return self._bytes(m.group(1), head)
                self._send(404, {"X-Error-Code": "EntryNotFound"}, b"not found", head)

            def _info(self, repo_id: str, head: bool) -> None:
                if hub.hang:
                    while hub.hang:
                        time.sleep(0.05)
                    return
                repo = hub.repos.get(repo_id)
                if repo is None:
                    return self._send(404, {"X-Error-Code": "RepoNotFound", "X-Error-Message": "Repository not found"},
                                      b'{"error":"Repository not found"}', head)
                if repo.gated:
                    return self._send(401, {"X-Error-Code": "GatedRepo", "X-Error-Message": "Access restricted"},
                                      b'{"error":"gated"}', head)
                siblings = [{"rfilename": name} for name in repo.extra]
                for name, data in repo.files.items():
                    siblings.append({"rfilename": name, "size": len(data), "blobId": hashlib.sha1(data).hexdigest(),
                                     "lfs": {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                                             "pointerSize": 134}})
                body = json.dumps({"id": repo_id, "sha": COMMIT, "private": False, "gated": False,
                                   "tags": ["gguf"], "siblings": siblings}).encode()
                self._send(200, {"Content-Type": "application/json"}, body, head)

            def _resolve(self, repo_id: str, name: str, head: bool) -> None:
                repo = hub.repos.get(repo_id)
                if repo is None or name not in repo.files:
                    return self._send(404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT}, b"", head)
                data = repo.files[name]
                sha = hashlib.sha256(data).hexdigest()
                self._send(302, {"Location": f"http://localhost:{hub.port}/cdn/{sha}", "X-Repo-Commit": COMMIT,
                                 "X-Linked-Etag": f'"{sha}"', "X-Linked-Size": str(len(data)),
                                 "ETag": f'"{hashlib.sha1(data).hexdigest()}"'}, b"", head)

            def _bytes(self, sha: str, head: bool) -> None:
                data = hub.blob(sha)
                if data is None:
                    return self._send(404, {}, b"", head)
                if hub.corrupt:
                    data = data[:-16] + bytes(16)
                start, code, headers = 0, 200, {"ETag": f'"{sha}"', "Accept-Ranges": "bytes",
                                                "Content-Type": "application/octet-stream"}
                if (rng := self.headers.get("Range")) and (m := re.fullmatch(r"bytes=(\d+)-", rng)):
                    start, code = int(m.group(1)), 206
                    headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
                body = data[start:]
                if head:
                    return self._send(code, {**headers, "Content-Length": str(len(body))}, b"", True)
                if hub.cuts_left > 0 and hub.cut_after is not None:
                    hub.cuts_left -= 1
                    self.send_response(code)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    part = body[: hub.cut_after]
                    self.wfile.write(part)
                    self.wfile.flush()
                    hub.bytes_sent += len(part)
                    self.close_connection = True
                    self.connection.shutdown(2)  # the connection drops mid-file
                    return
                if hub.slow:
                    self._send(code, {**headers, "Content-Length": str(len(body))}, b"", True)
                    try:
                        for i in range(0, len(body), 4096):
                            self.wfile.write(body[i:i + 4096])
                            self.wfile.flush()
                            hub.bytes_sent += len(body[i:i + 4096])
                            time.sleep(hub.slow)
                    except OSError:  # the client stopped reading (cancelled)
                        self.close_connection = True
                    return
                hub.bytes_sent += len(body)
                self._send(code, headers, body)

        return Handler


def tiny_gguf(path: Path, *, arch: str = "llama", name: str = "Tiny Chat", template: str | None = "{{ messages }}",
              context: int = 2048, n_floats: int = 16_384) -> Path:
    """A small but complete GGUF model file (one tensor of ``n_floats`` float32, ~64 KiB by default)."""
    import numpy as np
    from gguf import GGUFWriter

    writer = GGUFWriter(str(path), arch)
    writer.add_name(name)
    writer.add_context_length(context)
    if template is not None:
        writer.add_chat_template(template)
    writer.add_tensor("token_embd.weight", np.linspace(-1, 1, n_floats, dtype=np.float32).reshape(-1, 64))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
