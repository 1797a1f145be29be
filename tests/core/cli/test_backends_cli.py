"""``personas`` backend options (key from stdin, never argv) and ``chat --once --json`` through an Ollama server."""

from __future__ import annotations

import io
import json

import pytest

from aeon_studio.core.cli.main import main
from tests.core.chat.backends.servers import Answer, FakeServer, memory_keyring, ollama_parts, sse_parts

GROQ = "https://api.groq.com/openai/v1"


@pytest.fixture(autouse=True)
def ring():
    import keyring

    ring, previous = memory_keyring()
    yield ring
    keyring.set_keyring(previous)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_backend_options_and_chat_once_json_reports_the_backend(capsys):
    with FakeServer(lambda req: Answer(parts=ollama_parts(["Olá ", "do Ollama."]))) as server:
        code, out, err = run(capsys, "personas", "add", "local", "--name", "Local", "--backend", "ollama",
                             "--model", "qwen2.5:1.5b", "--url", server.url, "--fallback", "embedded")
        assert code == 0, err
        code, out, _ = run(capsys, "personas", "show", "local")
        shown = json.loads(out)
        assert [b["kind"] for b in shown["backends"]] == ["ollama", "embedded"]
        assert shown["sends_off_machine"] is False and shown["memory_local_only"] is True
        code, out, err = run(capsys, "chat", "--once", "Oi", "--persona", "local", "--json")
        assert code == 0, err
    data = json.loads(out)
    assert data["reply"] == "Olá do Ollama."
    assert (data["backend"], data["backend_model"], data["backend_local"]) == ("ollama", "qwen2.5:1.5b", True)
    code, out, _ = run(capsys, "personas", "list")
    assert "ollama qwen2.5:1.5b @ " + server.url + " (+1 fallback)" in out


def test_api_key_is_read_from_stdin_and_stored_in_the_keyring_only(capsys, monkeypatch, ring, aeon_home):
    monkeypatch.setattr("sys.stdin", io.StringIO("gsk-from-stdin\n"))
    code, out, err = run(capsys, "personas", "add", "groq", "--name", "Groq", "--backend", "openai",
                         "--model", "llama-3.1-8b-instant", "--url", GROQ, "--api-key")
    assert code == 0, err
    assert "Stored the API key for " + GROQ in out and "gsk-from-stdin" not in out + err
    assert ring.store == {("aeon-studio", GROQ): "gsk-from-stdin"}
    db = (aeon_home / "aeon_studio.db") if (aeon_home / "aeon_studio.db").exists() else next(aeon_home.rglob("*.db"))
    assert b"gsk-from-stdin" not in db.read_bytes()
    code, out, _ = run(capsys, "personas", "show", "groq")
    shown = json.loads(out)
    assert shown["api_keys"] == {GROQ: True} and shown["sends_off_machine"] is True
    assert "gsk-from-stdin" not in out
    code, out, _ = run(capsys, "personas", "edit", "groq", "--forget-api-key")
    assert code == 0 and ring.store == {}


def test_the_key_is_never_an_argument():
    with pytest.raises(SystemExit):
        main(["personas", "edit", "casual", "--api-key", "sk-on-argv"])


def test_bad_backend_input_stores_nothing(capsys, monkeypatch, ring):
    code, _, err = run(capsys, "personas", "edit", "casual", "--backend", "openai", "--model", "m",
                       "--url", "http://api.groq.com/openai/v1")
    assert code == 2 and "backends.0.url" in err and "unencrypted" in err
    code, _, err = run(capsys, "personas", "edit", "casual", "--fallback", "lmstudio:x")
    assert code == 2 and "KIND[:MODEL][@URL]" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("sk-1\n"))
    code, _, err = run(capsys, "personas", "edit", "casual", "--temperature", "0.1", "--api-key")
    assert code == 2 and "no OpenAI-compatible backend" in err and ring.store == {}
    code, out, _ = run(capsys, "personas", "show", "casual")
    assert json.loads(out)["backends"] == [] and json.loads(out)["temperature"] == 0.7


def test_wrong_api_key_fails_with_a_clear_message(capsys, monkeypatch):
    def handler(req):
        if req.headers.get("authorization") != "Bearer right":
            return Answer(status=401, content_type="application/json",
                          parts=['{"error": {"message": "Invalid API Key"}}'])
        return Answer(content_type="text/event-stream", parts=sse_parts(["ok"]))

    with FakeServer(handler) as server:
        monkeypatch.setattr("sys.stdin", io.StringIO("wrong\n"))
        assert main(["personas", "add", "api", "--name", "API", "--backend", "openai", "--model", "m",
                     "--url", server.url + "/v1", "--api-key"]) == 0
        capsys.readouterr()
        code, out, err = run(capsys, "chat", "--once", "Oi", "--persona", "api", "--json")
        assert code == 2 and "refused the API key (HTTP 401: Invalid API Key)" in err and "wrong" not in err
        monkeypatch.setattr("sys.stdin", io.StringIO("right\n"))
        assert main(["personas", "edit", "api", "--api-key"]) == 0
        capsys.readouterr()
        code, out, err = run(capsys, "chat", "--once", "Oi", "--persona", "api", "--json")
    assert code == 0, err
    assert json.loads(out)["backend"] == "openai"
