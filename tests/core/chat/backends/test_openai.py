"""The OpenAI-compatible backend against a small server on the loopback that speaks ``/v1/chat/completions``."""

from __future__ import annotations

import json
import logging

import pytest

from aeon_studio.core.chat.backends.base import BackendError
from aeon_studio.core.chat.backends.openai import OpenAIBackend, completions_url
from aeon_studio.core.chat.engine import ChatParams
from aeon_studio.core.errors import ValidationError
from tests.core.chat.backends.servers import Answer, FakeServer, closed_port_url, sse_parts

MESSAGES = [{"role": "user", "content": "Olá! Tudo bem?"}]
SSE = "text/event-stream"


def test_streams_server_sent_events_with_the_key_and_sampling():
    pieces = ["Tudo ", "ótimo, ", "e você?"]
    with FakeServer(lambda req: Answer(content_type=SSE, parts=sse_parts(pieces))) as server:
        backend = OpenAIBackend("llama-3.1-8b-instant", server.url + "/v1", api_key="sk-good")
        stream = backend.stream(MESSAGES, ChatParams(temperature=0.3, top_p=0.8, max_tokens=100, seed=5))
        assert list(stream) == pieces
    assert stream.text == "Tudo ótimo, e você?" and stream.finish_reason == "stop"
    assert (stream.backend, stream.backend_model, stream.is_local) == ("openai", "llama-3.1-8b-instant", True)
    [req] = server.requests
    assert req.path == "/v1/chat/completions"
    assert req.headers["authorization"] == "Bearer sk-good"
    assert req.body == {"model": "llama-3.1-8b-instant", "messages": MESSAGES, "stream": True, "temperature": 0.3,
                        "top_p": 0.8, "max_tokens": 100, "seed": 5}


def test_text_event_stream_without_charset_is_read_as_utf8():
    with FakeServer(lambda req: Answer(content_type=SSE, parts=sse_parts(["ação ", "çãõé"]))) as server:
        assert "".join(OpenAIBackend("m", server.url).stream(MESSAGES, ChatParams())) == "ação çãõé"


@pytest.mark.parametrize("base, url", [
    ("https://api.groq.com/openai/v1", "https://api.groq.com/openai/v1/chat/completions"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions"),
    ("http://localhost:1234/v1/chat/completions", "http://localhost:1234/v1/chat/completions")])
def test_completions_url(base, url):
    assert completions_url(base) == url


def test_no_key_sends_no_authorization_header():
    with FakeServer(lambda req: Answer(content_type=SSE, parts=sse_parts(["ok"]))) as server:
        "".join(OpenAIBackend("m", server.url).stream(MESSAGES, ChatParams()))
    assert "authorization" not in server.requests[0].headers


def test_wrong_api_key_is_a_clear_message_without_the_key(caplog):
    def handler(req):
        if req.headers.get("authorization") != "Bearer sk-right":
            body = {"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}}
            return Answer(status=401, content_type="application/json", parts=[json.dumps(body)])
        return Answer(content_type=SSE, parts=sse_parts(["ok"]))

    caplog.set_level(logging.DEBUG)
    with FakeServer(handler) as server:
        with pytest.raises(BackendError) as err:
            list(OpenAIBackend("m", server.url + "/v1", api_key="sk-wrong-secret").stream(MESSAGES, ChatParams()))
    text = str(err.value)
    assert "refused the API key (HTTP 401: Invalid API Key)" in text and "--api-key" in err.value.hint
    assert "sk-wrong-secret" not in text and "sk-wrong-secret" not in caplog.text
    assert "sk-wrong-secret" not in repr(OpenAIBackend("m", server.url, api_key="sk-wrong-secret"))


def test_http_500_quotes_the_server():
    answer = Answer(status=500, content_type="application/json", parts=['{"error":{"message":"model overloaded"}}'])
    with FakeServer(lambda req: answer) as server:
        with pytest.raises(BackendError, match="answered HTTP 500: model overloaded"):
            list(OpenAIBackend("m", server.url).stream(MESSAGES, ChatParams()))


def test_a_response_that_is_not_json():
    with FakeServer(lambda req: Answer(content_type="text/html", parts=["<!doctype html>\n", "<p>login</p>\n"])) as s:
        with pytest.raises(BackendError) as err:
            list(OpenAIBackend("m", s.url).stream(MESSAGES, ChatParams()))
    assert "not JSON (line 1: '<!doctype html>')" in str(err.value)


def test_a_data_line_that_is_not_json():
    parts = sse_parts(["Oi"])[:3] + ["data: {broken\n\n"]
    with FakeServer(lambda req: Answer(content_type=SSE, parts=parts)) as server:
        stream = OpenAIBackend("m", server.url).stream(MESSAGES, ChatParams())
        with pytest.raises(BackendError, match="not JSON") as err:
            list(stream)
    assert stream.text == "Oi" and not err.value.unavailable


def test_a_server_that_stops_mid_reply():
    parts = sse_parts(["Vou ", "explicar"], done=False)[:-1]  # no finish_reason, no [DONE]
    with FakeServer(lambda req: Answer(content_type=SSE, parts=parts, drop=True)) as server:
        stream = OpenAIBackend("m", server.url).stream(MESSAGES, ChatParams())
        with pytest.raises(BackendError, match="stopped in the middle of the reply"):
            list(stream)
    assert stream.text == "Vou explicar"


def test_an_error_event_in_the_stream():
    parts = sse_parts(["Um"])[:3] + ['data: {"error": {"message": "rate limit reached"}}\n\n']
    with FakeServer(lambda req: Answer(content_type=SSE, parts=parts)) as server:
        with pytest.raises(BackendError, match="reported an error: rate limit reached"):
            list(OpenAIBackend("m", server.url).stream(MESSAGES, ChatParams()))


def test_a_server_that_does_not_stream_is_still_read():
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "Inteiro."},
                         "finish_reason": "stop"}], "usage": {"prompt_tokens": 9, "completion_tokens": 3}}
    with FakeServer(lambda req: Answer(content_type="application/json", parts=[json.dumps(body)])) as server:
        stream = OpenAIBackend("m", server.url).stream(MESSAGES, ChatParams())
        assert "".join(stream) == "Inteiro."
    assert (stream.finish_reason, stream.prompt_tokens, stream.completion_tokens) == ("stop", 9, 3)


def test_a_server_that_is_down():
    with pytest.raises(BackendError, match="Could not reach OpenAI-compatible API at") as err:
        list(OpenAIBackend("m", closed_port_url()).stream(MESSAGES, ChatParams()))
    assert err.value.unavailable


@pytest.mark.parametrize("url", ["http://api.groq.com/openai/v1", "http://10.0.0.5:8000/v1",
                                 "https://user:pw@api.example.com/v1", "https://api.example.com/v1?key=1", "groq"])
def test_refused_urls(url):
    with pytest.raises(ValidationError, match="OpenAI-compatible server address"):
        OpenAIBackend("m", url)


def test_an_https_server_elsewhere_is_not_local():
    assert OpenAIBackend("m", "https://api.groq.com/openai/v1").is_local is False
