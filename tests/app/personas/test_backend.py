"""The Personas tab's chat backend box and the chat's mark for personas that send messages off the computer."""

from __future__ import annotations

import pytest

from aeon_studio.app.context import AppContext
from aeon_studio.app.main_window import MainWindow
from tests.core.chat.backends.servers import Answer, FakeServer, memory_keyring, ollama_parts

pytestmark = pytest.mark.gui

GROQ = "https://api.groq.com/openai/v1"


@pytest.fixture()
def ring():
    import keyring

    ring, previous = memory_keyring()
    yield ring
    keyring.set_keyring(previous)


def test_backend_box_saves_backends_and_key_to_the_keyring(qtbot, ring):
    w = MainWindow(AppContext())
    qtbot.addWidget(w)
    tab = w.personas
    box = tab.backend_box
    tab.select("casual")
    assert box.primary.kind.currentData() == "embedded" and not box.primary.model.isVisibleTo(box)
    box.primary.kind.setCurrentIndex(box.primary.kind.findData("ollama"))
    assert box.primary.model.isVisibleTo(box) and not box.primary.key.isVisibleTo(box)
    box.primary.model.setText("qwen2.5:1.5b")
    assert "stay on this computer" in box.primary.where.text()
    box.fallback.kind.setCurrentIndex(box.fallback.kind.findData("openai"))
    box.fallback.model.setText("llama-3.1-8b-instant")
    box.fallback.url.setText("http://api.groq.com/openai/v1")
    assert not tab.save()  # plain http elsewhere: refused, nothing stored
    assert "backends.1.url" in tab.error_label.text() and "unencrypted" in tab.error_label.text()
    assert tab.store.get("casual").backends == []
    box.fallback.url.setText(GROQ)
    assert "another computer" in box.fallback.where.text()
    box.fallback.key.setText("gsk-typed")
    assert tab.save(), tab.error_label.text()
    p = tab.store.get("casual")
    assert [(b.kind, b.model) for b in p.backends] == [("ollama", "qwen2.5:1.5b"), ("openai", "llama-3.1-8b-instant")]
    assert ring.store == {("aeon-studio", GROQ): "gsk-typed"}
    assert box.fallback.key.text() == "" and "is stored" in box.fallback.key.placeholderText()

    chat = w.chat
    chat.reload_pickers()
    chat.persona_combo.setCurrentIndex(chat.persona_combo.findData("casual"))
    chat.refresh_header()
    assert chat.header.privacy_label.isVisibleTo(chat) and "api.groq.com" in chat.header.privacy_label.text()
    assert "qwen2.5:1.5b (Ollama)" in chat.header.label.text()
    assert not chat.model_combo.isEnabled() and "Not used" in chat.model_combo.toolTip()  # no embedded engine

    box.fallback.kind.setCurrentIndex(0)  # nothing
    box.primary.kind.setCurrentIndex(box.primary.kind.findData("embedded"))
    assert tab.save()
    assert tab.store.get("casual").backends == []
    chat.refresh_header()
    assert not chat.header.privacy_label.isVisibleTo(chat)
    assert chat.model_combo.isEnabled()


def test_a_reply_from_ollama_shows_its_backend(qtbot, ring):
    ctx = AppContext()
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    with FakeServer(lambda req: Answer(parts=ollama_parts(["Seu cachorro ", "se chama Rex."]))) as server:
        ctx.chat.personas.update("casual", memory_enabled=False,  # no embedding model to load for this test
                                 backends=[{"kind": "ollama", "model": "qwen2.5:1.5b", "url": server.url}])
        chat = w.chat
        chat.reload_pickers()
        chat.persona_combo.setCurrentIndex(chat.persona_combo.findData("casual"))
        chat.input.setPlainText("Como se chama meu cachorro?")
        chat.send()
        qtbot.waitUntil(lambda: chat.worker is None, timeout=10000)
    reply = [b for b in chat.bubbles if b.role == "assistant"][-1]
    assert reply.label.text() == "Seu cachorro se chama Rex."
    assert "Ollama: qwen2.5:1.5b" in reply.meta_label.text() and "sent off" not in reply.meta_label.text()


def test_the_ollama_model_name_completes_from_ollamas_own_models(qtbot, ring, monkeypatch, tmp_path):
    from aeon_studio.app.personas import backend as backend_module

    monkeypatch.setattr(backend_module, "ollama_model_names", lambda: ["qwen2.5:1.5b", "gemma3:1b"])
    w = MainWindow(AppContext())
    qtbot.addWidget(w)
    box = w.personas.backend_box
    box.primary.kind.setCurrentIndex(box.primary.kind.findData("ollama"))
    completer = box.primary.model.completer()
    assert completer.model().stringList() == ["qwen2.5:1.5b", "gemma3:1b"]
    assert "gemma3:1b" in box.primary.model.toolTip()
