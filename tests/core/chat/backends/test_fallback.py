"""A fallback order: the first backend that starts answering writes the reply."""

from __future__ import annotations

import pytest

from aeon_studio.core.chat.backends.base import BackendError
from aeon_studio.core.chat.backends.fallback import FallbackBackend
from aeon_studio.core.chat.backends.ollama import OllamaBackend
from aeon_studio.core.chat.backends.openai import OpenAIBackend
from aeon_studio.core.chat.engine import ChatParams
from tests.core.chat.backends.servers import Answer, FakeServer, closed_port_url, ollama_parts, sse_parts

MESSAGES = [{"role": "user", "content": "Oi"}]


def test_the_next_backend_answers_when_the_first_is_down():
    down = closed_port_url()
    with FakeServer(lambda req: Answer(content_type="text/event-stream", parts=sse_parts(["Olá ", "daqui."]))) as s:
        backend = FallbackBackend([OllamaBackend("qwen2.5:1.5b", down), OpenAIBackend("online-model", s.url)])
        stream = backend.stream(MESSAGES, ChatParams())
        assert stream.notices == []
        assert "".join(stream) == "Olá daqui."
    assert (stream.backend, stream.backend_model, stream.finish_reason) == ("openai", "online-model", "stop")
    [notice] = stream.notices
    assert notice.startswith("Answered by OpenAI-compatible API (online-model), the next in the fallback order")
    assert "Ollama (qwen2.5:1.5b): Could not reach Ollama at " + down in notice


def test_a_wrong_key_or_unknown_model_also_moves_on():
    with FakeServer(lambda req: Answer(status=404, content_type="application/json",
                                       parts=['{"error":"model not found"}'])) as first, \
            FakeServer(lambda req: Answer(parts=ollama_parts(["ok"]))) as second:
        stream = FallbackBackend([OllamaBackend("a", first.url), OllamaBackend("b", second.url)]).stream(
            MESSAGES, ChatParams())
        assert "".join(stream) == "ok" and stream.backend_model == "b"


def test_every_backend_down_names_each():
    a, b = closed_port_url(), closed_port_url()
    stream = FallbackBackend([OllamaBackend("x", a), OpenAIBackend("y", b)]).stream(MESSAGES, ChatParams())
    with pytest.raises(BackendError) as err:
        list(stream)
    text = str(err.value)
    assert text.startswith("None of this persona's backends could answer:")
    assert f"Ollama (x): Could not reach Ollama at {a}" in text and "OpenAI-compatible API (y): Could not reach" in text
    assert stream.text == ""


def test_a_failure_after_the_first_chunk_is_not_retried_elsewhere():
    parts = ollama_parts(["Começo "])[:-1]
    with FakeServer(lambda req: Answer(parts=parts, drop=True)) as first, \
            FakeServer(lambda req: Answer(parts=ollama_parts(["outro"]))) as second:
        stream = FallbackBackend([OllamaBackend("a", first.url), OllamaBackend("b", second.url)]).stream(
            MESSAGES, ChatParams())
        with pytest.raises(BackendError, match="stopped in the middle"):
            list(stream)
    assert stream.text == "Começo " and second.requests == []


def test_local_messages_go_only_to_backends_on_this_computer():
    private = [{"role": "user", "content": "Oi\n[note: your dog is Rex]"}]
    with FakeServer(lambda req: Answer(parts=ollama_parts(["ok"]))) as server:
        local = OllamaBackend("a", server.url)
        "".join(local.stream(MESSAGES, ChatParams(), local_messages=private))
        remote = OllamaBackend("b", server.url)
        remote.is_local = False  # as an https server elsewhere would be
        "".join(remote.stream(MESSAGES, ChatParams(), local_messages=private))
    assert server.requests[0].body["messages"] == private
    assert server.requests[1].body["messages"] == MESSAGES


def test_stop_before_the_first_backend_answers():
    with FakeServer(lambda req: Answer(parts=ollama_parts(["x"]))) as server:
        stream = FallbackBackend([OllamaBackend("a", server.url)]).stream(MESSAGES, ChatParams())
        stream.cancel()
        assert list(stream) == []
    assert stream.finish_reason == "stopped" and server.requests == []
