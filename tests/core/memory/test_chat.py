"""Memory in the chat, on the real SmolLM2 and the real embedding model."""

from __future__ import annotations

import pytest

from aeon_studio.core import memory
from aeon_studio.core.memory.hook import NOTE_HEADER, flush_pending
from aeon_studio.core.services import build_chat_service

pytestmark = pytest.mark.model


def test_fact_recalled_in_a_new_conversation_with_sources_then_forgotten():
    service = build_chat_service()
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
    service = build_chat_service()
    service.personas.update("formal", memory_enabled=False, max_tokens=16)
    memory.get_memory().add("My favourite colour is green")
    conv = service.new_conversation("formal")
    reply = service.send(conv.id, "What is my favourite colour? Remember that I like tea.", seed=1)
    reply.run()
    assert "memory_sources" not in reply.message.meta and "memory_saved" not in reply.message.meta
    assert reply.stream.messages[-1]["content"] == "What is my favourite colour? Remember that I like tea."
    assert memory.get_memory().count() == 1


# -- what memory recalls: the kept version, never a low-rated one, never what the chat already shows ----------
def _persona():
    from types import SimpleNamespace

    return SimpleNamespace(key="casual", memory_enabled=True)


def _exchange(service, question: str, answer: str, conv=None):
    """A finished exchange, remembered by the reply hook as after a real reply; returns (conversation, reply)."""
    from types import SimpleNamespace

    from aeon_studio.core.memory.hook import memory_reply_hook

    conv = conv or service.new_conversation("casual")
    user = service.store.add_message(conv.id, "user", question)
    reply = service.store.add_message(conv.id, "assistant", answer, persona_key="casual")
    memory_reply_hook(SimpleNamespace(version_of=None, error=None, meta={}, conversation_id=conv.id,
                                      persona=_persona(), stream=SimpleNamespace(finish_reason="stop"),
                                      user_message=user, message=reply))
    assert flush_pending()
    return conv, reply


def _recall(service, conv_id: int, text: str) -> list[str]:
    """The texts memory recalls for ``text`` typed into conversation ``conv_id``."""
    from aeon_studio.core.memory.hook import memory_prompt_hook

    service.store.add_message(conv_id, "user", text)
    meta = memory_prompt_hook(service.history(conv_id), persona=_persona(), conversation_id=conv_id,
                              user_text=text) or {}
    assert flush_pending()
    return [s["text"] for s in meta.get("memory_sources", [])]


def test_a_reply_rated_low_is_not_recalled_until_rated_better():
    service = build_chat_service()
    _c, reply = _exchange(service, "Qual é a capital da Austrália, por favor?",
                          "A capital da Austrália é Sydney, com certeza.")
    ask = "Qual é a capital da Austrália?"
    assert any("Sydney" in t for t in _recall(service, service.new_conversation("casual").id, ask))
    service.store.rate(reply.id, 2)
    assert not any("Sydney" in t for t in _recall(service, service.new_conversation("casual").id, ask))
    assert memory.get_memory().count(kind="exchange") == 1  # kept: a rating can change
    service.store.rate(reply.id, 4)
    assert any("Sydney" in t for t in _recall(service, service.new_conversation("casual").id, ask))


def test_a_corrected_reply_is_remembered_and_recalled_as_corrected():
    service = build_chat_service()
    conv, reply = _exchange(service, "What is the capital of Canada, please?",
                            "The capital of Canada is Toronto, of course.")
    service.store.rate(reply.id, 1)  # the wrong original was rated low, then corrected
    fixed = service.edit(reply.id, "The capital of Canada is Ottawa.")
    recalled = _recall(service, service.new_conversation("casual").id, "What is the capital of Canada?")
    assert recalled == ["User: What is the capital of Canada, please?\nAssistant: The capital of Canada is Ottawa."]
    items = memory.get_memory().list(kind="exchange")
    assert [(i.text.split("Assistant: ")[1], i.source_ref) for i in items] == [
        ("The capital of Canada is Ottawa.", f"conversation:{conv.id}/message:{fixed.id}")]
    # a correction rated low is not recalled either
    service.store.rate(fixed.id, 2)
    assert _recall(service, service.new_conversation("casual").id, "What is the capital of Canada?") == []


def test_a_correction_replaces_the_original_as_soon_as_the_chat_goes_on():
    service = build_chat_service()
    conv, reply = _exchange(service, "Which planet is the largest in the solar system?",
                            "Saturn is the largest planet in the solar system.")
    service.edit(reply.id, "Jupiter is the largest planet in the solar system.")
    _recall(service, conv.id, "Thanks! And the smallest one?")  # the next turn of the same chat
    texts = [i.text for i in memory.get_memory().list(kind="exchange")]
    assert len(texts) == 1 and "Jupiter" in texts[0] and "Saturn" not in texts[0]


def test_a_regenerated_reply_takes_the_place_of_the_original():
    from types import SimpleNamespace

    from aeon_studio.core.memory.hook import memory_reply_hook

    service = build_chat_service()
    conv, reply = _exchange(service, "How many legs does a spider have, exactly?",
                            "A spider has six legs, like every insect.")
    again = service.store.add_version(reply.id, "A spider has eight legs; it is not an insect.", edited=False)
    memory_reply_hook(SimpleNamespace(version_of=reply.id, error=None, meta={}, conversation_id=conv.id,
                                      persona=_persona(), stream=SimpleNamespace(finish_reason="stop"),
                                      user_message=None, message=again))
    assert flush_pending()
    texts = [i.text for i in memory.get_memory().list(kind="exchange")]
    assert len(texts) == 1 and "eight legs" in texts[0]
    # going back to the first version brings its exchange back at the next recall (the kept version wins)
    service.store.activate_version(reply.id)
    recalled = _recall(service, service.new_conversation("casual").id, "How many legs does a spider have?")
    assert len(recalled) == 1 and "six legs" in recalled[0]
    assert ["six legs" in i.text for i in memory.get_memory().list(kind="exchange")] == [True]


def test_recall_never_repeats_what_the_conversation_shows():
    service = build_chat_service()
    conv, _r = _exchange(service, "My sister Clara lives in Lisbon; what should I bring her?",
                         "Bring Clara something from home, like local sweets or a book.")
    for n in range(14):  # a long chat: the first exchange scrolls far up (beyond the last 24 turns)
        _exchange(service, f"Question number {n} about the weather tomorrow?", f"Answer {n}: sunny, warm.", conv)
    assert _recall(service, conv.id, "What should I bring my sister Clara in Lisbon?") == []
    # a fact remembered elsewhere that this chat already says, word for word
    memory.get_memory().add("Meu cachorro se chama Rex.", kind="fact")
    other = service.new_conversation("casual")
    assert "Meu cachorro se chama Rex." in _recall(service, other.id, "Como se chama o meu cachorro?")
    said = service.new_conversation("casual")
    assert _recall(service, said.id, "Meu cachorro se chama Rex. Como se chama o meu cachorro?") == []


def test_a_reply_that_copies_its_memory_note_is_not_remembered():
    """Seen by a new user: the model answered with its prompt's note ("- (earlier chat) User: … Assistant: …"),
    and that was stored as a new memory, feeding the note's English wording back into every later prompt."""
    service = build_chat_service()
    _exchange(service, "Qual é a capital da França, por favor?",
              "- (earlier chat) User: Qual é a capital da França? Assistant: A capital da França é Paris.")
    assert memory.get_memory().count(kind="exchange") == 0
    _exchange(service, "Qual é a capital da Itália, por favor?", "A capital da Itália é Roma, claro.")
    assert memory.get_memory().count(kind="exchange") == 1
