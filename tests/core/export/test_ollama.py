"""Ollama export against a local server that implements the documented endpoints and checks what Ollama
checks: blob digests (400 on mismatch), referenced blobs exist, files are GGUF models/adapters of a
known architecture, template and parameters are well formed; /api/create streams status lines."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from aeon_studio.core.export import ExportError
from aeon_studio.core.export.gguf_io import quick_read
from aeon_studio.core.export.lora_gguf import convert_lora
from aeon_studio.core.export.ollama import (OllamaSpec, check_host, export_ollama, modelfile_text, template_family)
from tests.core.ollama.modelfile_parser import parse_modelfile
from tests.support.export_models import handmade_peft

NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*(:[a-zA-Z0-9._-]+)?$")
ARCHS = {"llama", "qwen2", "qwen3", "gemma3", "gemma2", "mistral"}


class FakeOllama(BaseHTTPRequestHandler):
    blobs: dict[str, bytes]
    uploads: list[str]
    models: dict[str, dict]

    def log_message(self, *args):  # keep pytest output clean
        return None

    def _json(self, code: int, obj: dict | None = None) -> None:
        body = json.dumps(obj or {}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        if self.path == "/api/version":
            return self._json(200, {"version": "0.12.0-test"})
        return self._json(404, {"error": "not found"})

    def do_HEAD(self):  # noqa: N802
        m = re.fullmatch(r"/api/blobs/(sha256:[0-9a-f]{64})", self.path)
        self.send_response(200 if m and m[1] in self.blobs else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        m = re.fullmatch(r"/api/blobs/(sha256:[0-9a-f]{64})", self.path)
        if m:
            if "sha256:" + hashlib.sha256(body).hexdigest() != m[1]:
                return self._json(400, {"error": "digest mismatch"})
            self.blobs[m[1]] = body
            self.uploads.append(m[1])
            return self._json(201)
        if self.path == "/api/create":
            return self._create(json.loads(body))
        return self._json(404, {"error": "not found"})

    def _gguf_kv(self, digest: str) -> dict:
        data = self.blobs[digest]
        path = Path(self.server.tmp) / digest.replace(":", "-")  # type: ignore[attr-defined]
        path.write_bytes(data)
        return quick_read(path).kv

    def _create(self, req: dict) -> None:
        name = req.get("model", "")
        if not NAME.match(name):
            return self._json(400, {"error": f"invalid model name {name!r}"})
        files, adapters = req.get("files") or {}, req.get("adapters") or {}
        if len(files) != 1:
            return self._json(400, {"error": "need exactly one model file"})
        if len(adapters) > 1:
            return self._json(400, {"error": "only one adapter is supported"})
        for fname, digest in list(files.items()) + list(adapters.items()):
            if digest not in self.blobs:
                return self._json(400, {"error": f"blob {digest} for {fname} not found"})
        kv = self._gguf_kv(next(iter(files.values())))
        if kv.get("general.type", "model") != "model" or kv.get("general.architecture") not in ARCHS:
            return self._json(400, {"error": "unsupported model architecture"})
        for digest in adapters.values():
            akv = self._gguf_kv(digest)
            if akv.get("general.type") != "adapter" or akv.get("general.architecture") != kv["general.architecture"]:
                return self._json(400, {"error": "adapter does not match the model"})
        template = req.get("template", "")
        if template.count("{{") != template.count("}}") or ".Messages" not in template and ".Prompt" not in template:
            return self._json(400, {"error": "template: unbalanced or unknown"})
        params = req.get("parameters") or {}
        if not all(isinstance(s, str) and s for s in params.get("stop", [])):
            return self._json(400, {"error": "stop must be a list of strings"})
        for key in ("temperature", "top_p"):
            if key in params and not isinstance(params[key], (int, float)):
                return self._json(400, {"error": f"{key} must be a number"})
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.end_headers()
        lines = [{"status": "parsing GGUF"}, {"status": "using existing layer"}, {"status": "writing manifest"},
                 {"status": "success"}]
        for line in lines:
            self.wfile.write((json.dumps(line) + "\n").encode())
            self.wfile.flush()
        self.models[name] = req


@pytest.fixture()
def server(tmp_path):
    handler = type("Handler", (FakeOllama,), {"blobs": {}, "uploads": [], "models": {}})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.tmp = tmp_path  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def spec(tmp_path, smollm2_path) -> OllamaSpec:
    lora = convert_lora(handmade_peft(tmp_path / "peft", smollm2_path), smollm2_path, tmp_path / "ad.gguf").path
    family = template_family(quick_read(smollm2_path).kv.get("tokenizer.chat_template"), "llama")
    return OllamaSpec("aeon-test", smollm2_path, lora, family, system='Say "hi" """ politely.', temperature=0.3,
                      top_p=0.9)


def test_create_through_the_api_then_reuse_blobs(tmp_path, server, spec):
    url, handler = server
    statuses: list[str] = []
    result = export_ollama(spec, tmp_path / "out", host=url, status=statuses.append)
    assert result.method == "api" and result.statuses[-1] == "success"
    req = handler.models["aeon-test"]
    assert req["parameters"] == {"stop": ["<|im_start|>", "<|im_end|>"], "temperature": 0.3, "top_p": 0.9}
    assert req["system"].startswith('Say "hi"') and "<|im_start|>" in req["template"]
    assert list(req["adapters"]) == [spec.adapter_file.name] and len(handler.uploads) == 2
    assert any("Uploading" in s for s in statuses) and "writing manifest" in statuses
    export_ollama(spec, tmp_path / "out", host=url)  # second time: HEAD finds both blobs, nothing uploaded
    assert len(handler.uploads) == 2


def test_digest_mismatch_and_missing_blob_are_reported(tmp_path, server, spec, monkeypatch):
    from aeon_studio.core.export import ollama

    url, handler = server
    monkeypatch.setattr(ollama, "sha256_file", lambda _p: "sha256:" + "0" * 64)
    with pytest.raises(ExportError, match="digest mismatch"):
        export_ollama(spec, tmp_path / "out", host=url)
    monkeypatch.undo()
    monkeypatch.setattr(ollama, "push_blob", lambda _h, p, _s: "sha256:" + hashlib.sha256(p.name.encode()).hexdigest())
    with pytest.raises(ExportError, match="not found"):
        export_ollama(spec, tmp_path / "out", host=url)
    assert handler.models == {}


def test_modelfile_folder_and_command_without_server(tmp_path, spec, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no ollama binary
    result = export_ollama(spec, tmp_path / "out", host="http://127.0.0.1:9")  # nothing listens there
    assert result.method == "modelfile" and result.command.startswith("ollama create aeon-test -f ")
    text = result.modelfile.read_text()
    assert f"FROM ./{spec.model_file.name}" in text and f"ADAPTER ./{spec.adapter_file.name}" in text
    assert 'PARAMETER stop "<|im_end|>"' in text and "PARAMETER temperature 0.3" in text
    assert "PARAMETER top_p 0.9" in text
    # Read back with Ollama's parser rules: the system prompt (with its """) and the template come back unchanged.
    parsed = parse_modelfile(text)
    assert parsed.first("system") == spec.system and parsed.first("template") == spec.template
    assert (tmp_path / "out" / spec.model_file.name).stat().st_size == spec.model_file.stat().st_size


def test_templates_per_family():
    assert template_family("{{'<|start_header_id|>'}}", "llama") == "llama3"
    assert template_family(None, "gemma3") == "gemma"
    assert template_family("<start_of_turn>user", "gemma3") == "gemma"
    assert template_family("<|im_start|>", "qwen2") == "chatml"
    with pytest.raises(ExportError):
        template_family("[INST] {{ x }} [/INST]", "mistral")
    for family, stop in (("gemma", "<end_of_turn>"), ("llama3", "<|eot_id|>")):
        spec = OllamaSpec("m", Path("m.gguf"), None, family)
        text = modelfile_text(spec, model_ref="./m.gguf", adapter_ref=None)
        assert f'PARAMETER stop "{stop}"' in text and "ADAPTER" not in text
        assert spec.template.count("{{") == spec.template.count("}}")


def test_only_loopback_hosts_unless_configured(monkeypatch):
    from aeon_studio.core.settings import reset_settings

    assert check_host("http://localhost:11434/") == "http://localhost:11434"
    assert check_host("127.0.0.1:11434") == "http://127.0.0.1:11434"
    with pytest.raises(ExportError, match="loopback"):
        check_host("http://192.168.1.20:11434")
    monkeypatch.setenv("AEON_STUDIO_OLLAMA_HOST", "http://192.168.1.20:11434")
    reset_settings()
    assert check_host("http://192.168.1.20:11434") == "http://192.168.1.20:11434"
    with pytest.raises(ExportError):
        check_host("ftp://127.0.0.1")


def test_cli_export_ollama_with_persona(tmp_path, server, smollm2_path, capsys):
    from aeon_studio.core.cli.main import main

    url, handler = server
    folder = handmade_peft(tmp_path / "peft", smollm2_path)
    assert main(["personas", "list"]) == 0
    rc = main(["export", "ollama", str(folder), "--name", "aeon-formal:v1", "--host", url, "--persona", "formal",
               "--json"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert rc == 0 and out["method"] == "api" and out["persona"] == "formal"
    assert handler.models["aeon-formal:v1"]["parameters"]["temperature"] == 0.3
    assert main(["export", "ollama", str(folder), "--name", "bad name!", "--modelfile-only"]) == 2


def test_ollama_host_decides_where_the_export_goes(tmp_path, server, spec, monkeypatch):
    from aeon_studio.core.settings import reset_settings

    url, handler = server
    monkeypatch.delenv("AEON_STUDIO_OLLAMA_HOST", raising=False)
    monkeypatch.setenv("OLLAMA_HOST", f"0.0.0.0:{url.rsplit(':', 1)[1]}")  # a bind-all address means this computer
    reset_settings()
    result = export_ollama(spec, tmp_path / "out")
    assert result.method == "api" and "aeon-test" in handler.models
    # A bare host gets Ollama's port, not 80; a remote OLLAMA_HOST counts as configured (checked, not contacted).
    assert check_host("127.0.0.1") == "http://127.0.0.1:11434"
    monkeypatch.setenv("OLLAMA_HOST", "10.1.2.3")
    assert check_host("10.1.2.3:11434") == "http://10.1.2.3:11434"


def test_cli_names_the_broken_name_rule(capsys):
    from aeon_studio.core.cli.main import main

    assert main(["export", "ollama", "some-adapter", "--name", "aeon:", "--modelfile-only"]) == 2
    assert "its tag is empty" in capsys.readouterr().err
    assert main(["export", "ollama", "some-adapter", "--name", "ação", "--modelfile-only"]) == 2
    assert "'ç'" in capsys.readouterr().err
