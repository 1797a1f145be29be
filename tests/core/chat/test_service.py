"""Chat engine and service on the real embedded model (SmolLM2-135M-Instruct)."""

from __future__ import annotations

import threading

import pytest

from aeon_studio.core.chat import ChatParams, ChatService, get_engine
from aeon_studio.core.chat.engine import fallback_chat_format
from aeon_studio.core.errors import ModelError, ValidationError

pytestmark = pytest.mark.model


@pytest.fixture()
def engine(smollm2_path):
    return get_engine(smollm2_path)


def test_capital_of_france_names_paris(engine):
    messages = [{"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What is the capital of France?"}]
    stream = engine.stream(messages, ChatParams(temperature=0.0, max_tokens=32))
    pieces = list(stream)
    assert len(pieces) > 1  # streamed, not one blob
    assert "Paris" in "".join(pieces)
    assert stream.finish_reason == "stop"


def test_stop_cancels_between_tokens(engine):
    stream = engine.stream([{"role": "user", "content": "Write a long story about a dragon."}],
                           ChatParams(temperature=0.7, max_tokens=400, seed=1))
    got = []
    for piece in stream:
        got.append(piece)
        if len(got) == 5:
            stream.cancel()
    assert len(got) == 5 and stream.finish_reason == "stopped"


def test_context_budget_drops_oldest_turns_and_trims_long_paste(engine):
    long_turns = [{"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i} " + "bla " * 400}
                  for i in range(25)]
    messages = [{"role": "system", "content": "SYSTEM"}] + long_turns
    fitted, notices, tokens = engine.fit_context(messages, 256)
    assert fitted[0]["content"] == "SYSTEM" and fitted[-1] == long_turns[-1]
    assert fitted[1]["role"] == "user"
    assert tokens <= engine.n_ctx - 256 and notices and "left out" in notices[0]

    paste = [{"role": "user", "content": "palavra " * 20000}]
    fitted, notices, tokens = engine.fit_context(paste, 256)
    assert tokens <= engine.n_ctx - 256 and "trimmed" in notices[-1]
    # and it really generates, no crash
    stream = engine.stream(paste, ChatParams(temperature=0, max_tokens=4))
    list(stream)
    assert stream.finish_reason in ("stop", "length")


def test_fallback_chat_formats():
    assert fallback_chat_format("gemma3") == "gemma"
    assert fallback_chat_format("llama") == "chatml"


def test_service_stores_exchange_versions_and_partial_stop():
    service = ChatService()
    conv = service.new_conversation("tecnico")
    with pytest.raises(ValidationError):
        service.send(conv.id, "   ")
    assert service.store.messages(conv.id) == []
    reply = service.send(conv.id, "What is the capital of France?", seed=1)
    text = reply.run()
    assert "Paris" in text
    msgs = service.store.messages(conv.id)
    assert [m.role for m in msgs] == ["user", "assistant"]
    assert msgs[1].content == text and msgs[1].persona_key == "tecnico"
    assert msgs[1].meta["completion_tokens"] > 0

    regen = service.regenerate(msgs[1].id, seed=7)
    regen.run()
    versions = service.store.versions(msgs[1].id)
    assert len(versions) == 2 and versions[1].active and not versions[0].active
    edited = service.edit(versions[1].id, "Paris.")
    assert edited.edited_from_id == versions[1].id
    assert service.history(conv.id)[-1] == {"role": "assistant", "content": "Paris."}

    # Stop mid-stream: what was shown is stored.
    stop_reply = service.send(conv.id, "Tell me a long story about Lisbon.", seed=3)
    shown = []
    for piece in stop_reply:
        shown.append(piece)
        if len(shown) == 6:
            stop_reply.cancel()
    stored = service.store.get_message(stop_reply.message.id)
    assert stored.content == "".join(shown) and stored.meta["finish_reason"] == "stopped"


def test_regenerating_an_earlier_reply_keeps_its_place_and_sees_only_what_came_before():
    service = ChatService()
    service.personas.update("tecnico", max_tokens=8, memory_enabled=False)
    conv = service.new_conversation("tecnico")
    store = service.store
    store.add_message(conv.id, "user", "What is the capital of France?")
    a1 = store.add_message(conv.id, "assistant", "Paris.")
    store.add_message(conv.id, "user", "And of Italy?")
    store.add_message(conv.id, "assistant", "Rome.")
    again = store.add_version(a1.id, "It is Paris.", edited=False)  # regenerated before: a larger id

    reply = service.regenerate(again.id, seed=1)
    sent = reply.stream.messages
    assert sent[0]["role"] == "system" and sent[1:] == [{"role": "user", "content": "What is the capital of France?"}]
    assert [t["content"] for t in service.history(conv.id, before_message_id=again.id)] == [
        "What is the capital of France?"]
    reply.run()
    assert reply.message.group_id == a1.id
    assert service.history(conv.id) == [
        {"role": "user", "content": "What is the capital of France?"}, {"role": "assistant", "content": reply.text},
        {"role": "user", "content": "And of Italy?"}, {"role": "assistant", "content": "Rome."}]


def test_an_edited_reply_keeps_its_memory_sources():
    service = ChatService()
    conv = service.new_conversation("casual")
    service.store.add_message(conv.id, "user", "Remember that I live in Recife. Where do I live?")
    sources = [{"id": 7, "text": "User lives in Recife", "source": "chat", "kind": "fact", "score": 0.8}]
    saved = [{"id": 9, "text": "I live in Recife."}]
    reply = service.store.add_message(conv.id, "assistant", "In Lisbon.", meta={
        "memory_sources": sources, "memory_saved": saved, "finish_reason": "stop", "completion_tokens": 3})
    edited = service.edit(reply.id, "In Recife.")
    assert edited.meta == {"memory_sources": sources, "memory_saved": saved, "edited": True}


def test_reply_streams_from_another_thread():
    service = ChatService()
    conv = service.new_conversation("casual")
    reply = service.send(conv.id, "Say hello.", seed=2)
    out = []
    t = threading.Thread(target=lambda: out.extend(reply))
    t.start()
    t.join(120)
    assert out and reply.message is not None


def test_broken_model_file_names_the_file(tmp_path):
    from aeon_studio.core.storage import get_database
    from aeon_studio.core.storage.tables import ModelEntry

    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 100)
    with get_database().session() as s:  # as if added when it was still good
        s.add(ModelEntry(id="broken", name="broken", path=str(bad)))
    service = ChatService()
    conv = service.new_conversation("casual", "broken")
    with pytest.raises(ModelError) as err:
        service.send(conv.id, "hello")
    assert "broken.gguf" in str(err.value)
    assert service.store.messages(conv.id) == []  # no dangling question


def test_assistant_api():
    from aeon_studio import Assistant

    a = Assistant(persona="casual")
    reply = a.generate("Como funciona a Lua?", seed=1)
    assert reply.strip()
    a.rate(5)
    stored = a.service.store.messages(a.conversation_id)
    assert stored[0].content == "Como funciona a Lua?" and stored[1].content == reply


def test_the_composition_point_wires_memory_and_adapters_and_a_bare_service_has_none():
    from aeon_studio.core.export.adapters import resolve_lora_gguf
    from aeon_studio.core.memory.hook import memory_prompt_hook, memory_reply_hook
    from aeon_studio.core.services import build_chat_service
    from aeon_studio.core.storage import get_database

    bare = ChatService()
    assert bare.prompt_hooks == () and bare.reply_hooks == () and bare.adapter_resolver is None
    wired = build_chat_service()
    assert wired.prompt_hooks == (memory_prompt_hook,) and wired.reply_hooks == (memory_reply_hook,)
    assert wired.adapter_resolver is resolve_lora_gguf and wired.db is get_database()
    assert ChatService().prompt_hooks == ()  # building a wired one registers nothing globally


def test_hooks_and_resolver_passed_in_are_used_and_a_failing_hook_never_breaks_the_chat(caplog):
    def note(messages, *, persona, conversation_id, user_text):
        messages[-1] = {**messages[-1], "content": "NOTE\n" + messages[-1]["content"]}
        return {"noted": True}

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    resolved, stored = [], []

    def resolver(adapter_id):
        resolved.append(adapter_id)
        return None  # no LoRA file: the base model answers

    service = ChatService(prompt_hooks=[broken, note], reply_hooks=[broken, stored.append], adapter_resolver=resolver)
    service.personas.update("casual", max_tokens=4, adapter_id="a1")
    conv = service.new_conversation("casual")
    reply = service.send(conv.id, "Hello", seed=1)
    reply.run()
    assert reply.stream.messages[-1]["content"] == "NOTE\nHello" and reply.message.meta["noted"] is True
    assert reply.adapter_id == "a1" and resolved and set(resolved) == {"a1"}
    assert stored == [reply] and reply.message.content == reply.text
    assert "prompt hook" in caplog.text and "reply hook" in caplog.text

    bare = ChatService().send(conv.id, "Hello", seed=1)  # the same persona, nothing wired in
    bare.run()
    assert bare.adapter_id is None and bare.stream.messages[-1]["content"] == "Hello"
    assert "noted" not in bare.message.meta
