"""The Ollama backend against a small server on the loopback that speaks ``/api/chat``."""

from __future__ import annotations

import pytest

from aeon_studio.core.chat.backends.base import BackendError
from aeon_studio.core.chat.backends.ollama import OllamaBackend
from aeon_studio.core.chat.engine import ChatParams
from aeon_studio.core.errors import ValidationError
from tests.core.chat.backends.servers import Answer, FakeServer, closed_port_url, ollama_parts

MESSAGES = [{"role": "system", "content": "Seja breve."}, {"role": "user", "content": "Como se chama meu cachorro?"}]


def test_streams_pieces_in_order_with_the_persona_sampling():
    pieces = ["Seu ", "cachorro ", "se chama ", "Rex."]
    with FakeServer(lambda req: Answer(parts=ollama_parts(pieces))) as server:
        backend = OllamaBackend("qwen2.5:1.5b", server.url)
        stream = backend.stream(MESSAGES, ChatParams(temperature=0.2, top_p=0.9, max_tokens=64, seed=3))
        assert list(stream) == pieces
    assert stream.text == "Seu cachorro se chama Rex."
    assert (stream.finish_reason, stream.completion_tokens, stream.prompt_tokens) == ("stop", 4, 12)
    assert (stream.backend, stream.backend_model, stream.is_local) == ("ollama", "qwen2.5:1.5b", True)
    [req] = server.requests
    assert req.path == "/api/chat"
    assert req.body["model"] == "qwen2.5:1.5b" and req.body["stream"] is True
    assert req.body["messages"] == MESSAGES
    assert req.body["options"] == {"temperature": 0.2, "top_p": 0.9, "num_predict": 64, "repeat_penalty": 1.1,
                                   "seed": 3}


def test_the_length_limit_is_reported_as_a_cut_reply():
    with FakeServer(lambda req: Answer(parts=ollama_parts(["a", "b"], done_reason="length"))) as server:
        stream = OllamaBackend("m", server.url).stream(MESSAGES, ChatParams())
        "".join(stream)
    assert stream.finish_reason == "length"


def test_default_url_comes_from_ollama_host(monkeypatch):
    with FakeServer(lambda req: Answer(parts=ollama_parts(["ok"]))) as server:
        monkeypatch.setenv("OLLAMA_HOST", server.url.removeprefix("http://"))
        backend = OllamaBackend("m")
        assert backend.url == server.url
        assert "".join(backend.stream(MESSAGES, ChatParams())) == "ok"


def test_unknown_model_is_a_clear_http_error():
    answer = Answer(status=404, content_type="application/json", parts=['{"error":"model \\"nope\\" not found, '
                                                                         'try pulling it first"}'])
    with FakeServer(lambda req: answer) as server:
        stream = OllamaBackend("nope", server.url).stream(MESSAGES, ChatParams())
        with pytest.raises(BackendError) as err:
            list(stream)
    assert "HTTP 404" in str(err.value) and 'model "nope" not found' in str(err.value)
    assert server.url in str(err.value) and "ollama pull nope" in err.value.hint
    assert err.value.unavailable and stream.text == ""


def test_a_server_that_is_down():
    url = closed_port_url()
    with pytest.raises(BackendError) as err:
        list(OllamaBackend("m", url).stream(MESSAGES, ChatParams()))
    assert str(err.value).startswith(f"Could not reach Ollama at {url}/api/chat (connection refused: nothing answers")
    assert "ollama serve" in err.value.hint
    assert err.value.unavailable


def test_a_server_that_stops_mid_reply_keeps_what_arrived():
    parts = ollama_parts(["Meio ", "caminho"])[:-1]  # no "done" line, connection cut
    with FakeServer(lambda req: Answer(parts=parts, drop=True)) as server:
        stream = OllamaBackend("m", server.url).stream(MESSAGES, ChatParams())
        got = []
        with pytest.raises(BackendError) as err:
            for piece in stream:
                got.append(piece)
    assert got == ["Meio ", "caminho"] and stream.text == "Meio caminho"
    assert "stopped in the middle of the reply" in str(err.value) and not err.value.unavailable


def test_a_stream_that_ends_cleanly_without_done_is_incomplete():
    parts = ollama_parts(["Só isso"])[:-1]
    with FakeServer(lambda req: Answer(parts=parts)) as server:
        with pytest.raises(BackendError, match="stopped in the middle"):
            list(OllamaBackend("m", server.url).stream(MESSAGES, ChatParams()))


def test_an_error_line_in_the_middle_of_the_stream():
    parts = ollama_parts(["Um"])[:-1] + ['{"error":"out of memory"}\n']
    with FakeServer(lambda req: Answer(parts=parts)) as server:
        stream = OllamaBackend("m", server.url).stream(MESSAGES, ChatParams())
        with pytest.raises(BackendError, match="reported an error: out of memory"):
            list(stream)
    assert stream.text == "Um"


def test_a_response_that_is_not_json():
    answer = Answer(content_type="text/html", parts=["<html><body>It works!</body></html>\n"])
    with FakeServer(lambda req: answer) as server:
        with pytest.raises(BackendError) as err:
            list(OllamaBackend("m", server.url).stream(MESSAGES, ChatParams()))
    assert "not JSON (line 1: '<html><body>It works!" in str(err.value)
    assert "/v1" in err.value.hint and err.value.unavailable


def test_stop_ends_the_reply_between_chunks():
    def slow(req):
        return Answer(parts=ollama_parts([f"p{i} " for i in range(50)]), delay_s=0.02)

    with FakeServer(slow) as server:
        stream = OllamaBackend("m", server.url).stream(MESSAGES, ChatParams())
        got = []
        for piece in stream:
            got.append(piece)
            if len(got) == 3:
                stream.cancel()
    assert got == ["p0 ", "p1 ", "p2 "]
    assert stream.finish_reason == "stopped" and stream.text == "p0 p1 p2 "


@pytest.mark.parametrize("url", ["http://192.168.1.20:11434", "http://ollama.example.com", "ftp://127.0.0.1",
                                 "192.168.1.20:11434"])
def test_a_url_that_is_not_loopback_or_https_is_refused(url):
    with pytest.raises(ValidationError) as err:
        OllamaBackend("m", url)
    assert "Ollama server address" in str(err.value)


def test_ollama_host_pointing_at_plain_http_elsewhere_is_refused(monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST", "http://192.168.1.20:11434")
    with pytest.raises(ValidationError) as err:
        OllamaBackend("m")
    assert "unencrypted" in str(err.value) and "OLLAMA_HOST" in err.value.hint


def test_a_url_without_scheme_is_read_as_ollama_reads_ollama_host():
    assert OllamaBackend("m", "localhost").url == "http://localhost:11434"
    assert OllamaBackend("m", "127.0.0.1:8080").url == "http://127.0.0.1:8080"


def test_the_ollama_host_setting_wins_over_the_environment(monkeypatch):
    from aeon_studio.core.settings import reset_settings

    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:1111")
    assert OllamaBackend("m").url == "http://127.0.0.1:1111"
    monkeypatch.setenv("AEON_STUDIO_OLLAMA_HOST", "127.0.0.1:2222")
    reset_settings()
    assert OllamaBackend("m").url == "http://127.0.0.1:2222"


def test_https_elsewhere_is_allowed_and_marked_not_local():
    backend = OllamaBackend("m", "https://ollama.example.com/")
    assert backend.url == "https://ollama.example.com" and backend.is_local is False


def test_stop_from_another_thread_does_not_wait_for_a_slow_server():
    """The chat's Stop runs on the UI thread while the reply is read on a worker: it must not wait for the server's
    next piece (here 2 s away)."""
    import threading
    import time

    with FakeServer(lambda req: Answer(parts=ollama_parts(["a ", "b ", "c "]), delay_s=2.0)) as server:
        stream = OllamaBackend("m", server.url).stream(MESSAGES, ChatParams())
        first, done = threading.Event(), threading.Event()
        got = []

        def read():
            for piece in stream:
                got.append(piece)
                first.set()
            done.set()

        threading.Thread(target=read, daemon=True).start()
        assert first.wait(5)
        t0 = time.perf_counter()
        stream.cancel()
        assert done.wait(1.5), "the reader still waits for the server"
        assert time.perf_counter() - t0 < 1.5
    assert got == ["a "] and stream.finish_reason == "stopped"
