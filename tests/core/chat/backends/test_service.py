"""The chat service answering through Ollama / OpenAI-compatible servers: stored replies say which backend
answered; stop, ratings, regeneration and memory sources work as with the embedded engine; memory notes stay
out of prompts that leave the computer."""

from __future__ import annotations

import pytest

from aeon_studio.core.chat import ChatService
from aeon_studio.core.chat.backends import ollama as ollama_module
from aeon_studio.core.errors import ValidationError
from aeon_studio.core.personas import make_persona
from tests.core.chat.backends.servers import Answer, FakeServer, closed_port_url, ollama_parts

NOTE = "[Memory note: the user's dog is called Rex]"


def _note_hook(messages, **_kw):
    """Stands in for the memory prompt hook: a recalled note next to the newest user turn."""
    messages[-1] = {**messages[-1], "content": messages[-1]["content"] + "\n" + NOTE}
    return {"memory_sources": [{"id": 1, "text": "the user's dog is called Rex"}]}


def _persona(service, url, **extra):
    backends = extra.pop("backends", [{"kind": "ollama", "model": "qwen2.5:1.5b", "url": url}])
    return service.personas.add(make_persona(key="remoto", name="Remoto", system_prompt="Responda em português.",
                                             backends=backends, **extra))


def test_reply_through_ollama_is_stored_with_its_backend_and_can_be_rated_and_regenerated():
    service = ChatService()
    with FakeServer(lambda req: Answer(parts=ollama_parts(["Olá, ", "tudo bem?"]))) as server:
        _persona(service, server.url)
        conv = service.new_conversation("remoto")
        reply = service.send(conv.id, "Oi!")
        assert reply.run() == "Olá, tudo bem?"
        again = service.regenerate(reply.message.id)
        again.run()
    msg = reply.message
    assert msg.content == "Olá, tudo bem?" and msg.adapter_id is None
    assert {k: msg.meta[k] for k in ("backend", "backend_model", "backend_local", "finish_reason")} == {
        "backend": "ollama", "backend_model": "qwen2.5:1.5b", "backend_local": True, "finish_reason": "stop"}
    assert server.requests[0].body["messages"] == [{"role": "system", "content": "Responda em português."},
                                                   {"role": "user", "content": "Oi!"}]
    service.store.rate(msg.id, 5)
    assert [v.id for v in service.store.versions(msg.id)] == [msg.id, again.message.id]


def test_stop_keeps_what_was_shown():
    service = ChatService()
    with FakeServer(lambda req: Answer(parts=ollama_parts([f"w{i} " for i in range(40)]), delay_s=0.02)) as server:
        _persona(service, server.url)
        reply = service.send(service.new_conversation("remoto").id, "Conte uma história longa.")
        for i, _piece in enumerate(reply):
            if i == 2:
                reply.cancel()
    assert reply.message.content == "w0 w1 w2 " and reply.message.meta["finish_reason"] == "stopped"


def test_memory_notes_stay_out_of_prompts_that_leave_the_computer(monkeypatch):
    monkeypatch.setattr(ollama_module, "is_loopback_host", lambda host: False)  # as if the server were elsewhere
    service = ChatService(prompt_hooks=(_note_hook,))
    with FakeServer(lambda req: Answer(parts=ollama_parts(["Não sei."]))) as server:
        _persona(service, server.url)
        reply = service.send(service.new_conversation("remoto").id, "Como se chama meu cachorro?")
        reply.run()
        assert NOTE not in server.requests[-1].body["messages"][-1]["content"]
        assert reply.message.meta["backend_local"] is False and "memory_sources" not in reply.message.meta

        service.personas.update("remoto", memory_local_only=False)
        reply = service.send(reply.conversation_id, "E agora?")
        reply.run()
    assert NOTE in server.requests[-1].body["messages"][-1]["content"]
    assert reply.message.meta["memory_sources"][0]["id"] == 1


def test_memory_notes_and_sources_on_a_local_server():
    service = ChatService(prompt_hooks=(_note_hook,))
    with FakeServer(lambda req: Answer(parts=ollama_parts(["Rex."]))) as server:
        _persona(service, server.url)
        reply = service.send(service.new_conversation("remoto").id, "Como se chama meu cachorro?")
        reply.run()
    assert NOTE in server.requests[0].body["messages"][-1]["content"]
    assert reply.message.meta["memory_sources"]


def test_a_refused_server_address_stores_nothing(monkeypatch):
    service = ChatService()
    _persona(service, "", backends=[{"kind": "ollama", "model": "m"}])  # Ollama's own address
    conv = service.new_conversation("remoto")
    monkeypatch.setenv("OLLAMA_HOST", "http://192.168.0.9:11434")
    with pytest.raises(ValidationError, match="Ollama server address"):
        service.send(conv.id, "Oi")
    assert service.store.messages(conv.id) == []


def test_a_server_that_is_down_keeps_the_question_and_says_where():
    service = ChatService()
    url = closed_port_url()
    _persona(service, url)
    reply = service.send(service.new_conversation("remoto").id, "Oi")
    with pytest.raises(Exception, match="Could not reach Ollama at " + url):
        reply.run()
    assert reply.message is None


@pytest.mark.model
def test_fallback_to_the_embedded_model_when_ollama_is_down():
    service = ChatService()
    down = closed_port_url()
    _persona(service, down, max_tokens=8,
             backends=[{"kind": "ollama", "model": "qwen2.5:1.5b", "url": down}, {"kind": "embedded"}])
    reply = service.send(service.new_conversation("remoto").id, "What is the capital of France?", seed=1)
    assert reply.run()
    meta = reply.message.meta
    assert meta["backend"] == "embedded" and meta["backend_model"] == reply.model_id
    assert "Could not reach Ollama at " + down in meta["notices"][0]
