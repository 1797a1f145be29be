"""Memory in the chat, on the real SmolLM2 and the real embedding model."""

from __future__ import annotations

import pytest

from aeon_studio.core import memory
from aeon_studio.core.chat import ChatService
from aeon_studio.core.memory.hook import NOTE_HEADER, flush_pending

pytestmark = pytest.mark.model


def test_fact_recalled_in_a_new_conversation_with_sources_then_forgotten():
    service = ChatService()
    service.personas.update("tecnico", max_tokens=48)  # short replies keep the test fast
    c1 = service.new_conversation("tecnico")
    r1 = service.send(c1.id, "Remember that my dog is called Bolinha.", seed=1)
    r1.run()
    saved = r1.message.meta["memory_saved"]
    fact = memory.get_memory().get(saved[0]["id"])
    assert fact.kind == "fact" and fact.text == "My dog is called Bolinha."
    assert fact.source_ref == f"conversation:{c1.id}/message:{r1.user_message.id}"
    assert memory.get_memory().count(kind="exchange") == 0  # the fact turn is not stored twice

    c2 = service.new_conversation("tecnico")
    r2 = service.send(c2.id, "What is my dog's name?", seed=1)
    text = r2.run()
    sources = service.store.get_message(r2.message.id).meta["memory_sources"]
    assert [s["id"] for s in sources] == [fact.id] and sources[0]["source"] == f"you said, conversation {c1.id}"
    sent = r2.stream.messages
    assert sent[0]["role"] == "system" and NOTE_HEADER not in sent[0]["content"]  # the prefix is untouched
    assert sent[-1]["content"].startswith(NOTE_HEADER) and sent[-1]["content"].endswith("What is my dog's name?")
    assert "Bolinha" in text

    # Next turn: the earlier turn keeps its note (same prompt prefix for llama.cpp's cache),
    # and the fact is not recalled a second time.
    r3 = service.send(c2.id, "Tell me one fun fact about dogs please.", seed=1)
    r3.run()
    assert r3.stream.messages[: len(sent)] == sent
    assert "memory_sources" not in (r3.message.meta or {})
    assert flush_pending()  # exchanges are stored off the chat's thread
    exchanges = memory.get_memory().list(kind="exchange")
    assert {e.source_ref for e in exchanges} == {f"conversation:{c2.id}/message:{r2.message.id}",
                                                 f"conversation:{c2.id}/message:{r3.message.id}"}

    memory.forget(fact.id)  # what the chat's Forget button calls
    for e in exchanges:  # the exchanges that repeat it too
        memory.forget(e.id)
    r4 = service.send(c2.id, "So what is my dog called?", seed=1)
    r4.run()
    # the earlier turn's note lost the forgotten fact (the chat history itself is not rewritten)
    assert all(fact.text not in m["content"] for m in r4.stream.messages if m["role"] == "user")
    assert flush_pending()
    for e in memory.get_memory().list(kind="exchange"):  # r4's exchange may repeat the name from that history
        memory.forget(e.id)
    c3 = service.new_conversation("tecnico")
    r5 = service.send(c3.id, "What is my dog's name?", seed=1)
    r5.run()
    assert "Bolinha" not in r5.stream.messages[-1]["content"]
    recalled = (r5.message.meta or {}).get("memory_sources") or []
    assert fact.id not in {s["id"] for s in recalled} and all("Bolinha" not in s["text"] for s in recalled)
    assert all(i.id != fact.id for i in memory.get_memory().list())  # ids are never reused


def test_persona_with_memory_off_neither_recalls_nor_stores():
    service = ChatService()
    service.personas.update("formal", memory_enabled=False, max_tokens=16)
    memory.get_memory().add("My favourite colour is green")
    conv = service.new_conversation("formal")
    reply = service.send(conv.id, "What is my favourite colour? Remember that I like tea.", seed=1)
    reply.run()
    assert "memory_sources" not in reply.message.meta and "memory_saved" not in reply.message.meta
    assert reply.stream.messages[-1]["content"] == "What is my favourite colour? Remember that I like tea."
    assert memory.get_memory().count() == 1
