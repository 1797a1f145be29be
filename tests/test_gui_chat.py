"""Chat tab with the real SmolLM2 model: send, stream, rate, persist; stop; regenerate; edit; errors."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from aeon_studio.app import chat_tab as chat_tab_module
from aeon_studio.app.context import AppContext
from aeon_studio.app.main_window import MainWindow

pytestmark = pytest.mark.gui


def _window(qtbot, max_tokens: int = 16) -> MainWindow:
    ctx = AppContext()
    ctx.chat.personas.update("casual", max_tokens=max_tokens, temperature=0.7)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    tab = w.tab("ChatTab")
    tab.reload_pickers()
    return w


def _send(qtbot, tab, text: str, timeout: int = 60000) -> None:
    tab.input.setPlainText(text)
    qtbot.keyClick(tab.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.worker is None, timeout=timeout)


def test_send_rate_and_reopen(qtbot):
    w = _window(qtbot)
    tab = w.tab("ChatTab")
    assert tab.status_label.text() == ""
    _send(qtbot, tab, "Hello! Who are you?")
    assistants = [b for b in tab.bubbles if b.role == "assistant"]
    assert len(assistants) == 1 and assistants[0].label.text().strip()
    assert "tokens/s" in assistants[0].meta_label.text()
    assistants[0].rating.buttons[3].click()  # 4 stars
    conv_id = tab.current_id
    w.close()

    w2 = MainWindow(AppContext())
    qtbot.addWidget(w2)
    tab2 = w2.tab("ChatTab")
    qtbot.waitUntil(lambda: tab2.conv_model.rowCount() == 1)
    assert tab2.conv_model.rows[0].id == conv_id
    tab2.open_conversation(conv_id)
    roles = [b.role for b in tab2.bubbles]
    assert roles == ["user", "assistant"]
    assert tab2.bubbles[0].label.text() == "Hello! Who are you?"
    assert tab2.bubbles[1].rating.value() == 4


def test_empty_message_not_sent_and_stop_keeps_partial(qtbot):
    w = _window(qtbot, max_tokens=400)
    tab = w.tab("ChatTab")
    tab.input.setPlainText("   \n ")
    tab.send()
    assert tab.worker is None and tab.current_id is None and not tab.bubbles

    tab.input.setPlainText("Write a long story about a dragon and a castle.")
    tab.send()
    qtbot.waitUntil(lambda: tab.stream_bubble is not None and len(tab.stream_bubble.label.text()) > 10,
                    timeout=60000)
    tab.stop_button.click()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=20000)
    msgs = tab.service.store.messages(tab.current_id)
    reply = [m for m in msgs if m.role == "assistant"]
    assert len(reply) == 1 and reply[0].content.strip()
    assert reply[0].meta["completion_tokens"] < 400


def test_regenerate_switcher_and_edit(qtbot):
    w = _window(qtbot)
    tab = w.tab("ChatTab")
    _send(qtbot, tab, "Name a colour.")
    first = tab.bubbles[-1]
    first_id, first_text = first.message.id, first.message.content
    first.regenerate_button.click()
    qtbot.waitUntil(lambda: tab.worker is None and tab.bubbles[-1].switcher is not None, timeout=60000)
    sw = tab.bubbles[-1].switcher
    assert (sw.index, sw.count) == (1, 2)
    store = tab.service.store
    assert len(store.versions(first_id)) == 2
    sw.prev_button.click()
    qtbot.waitUntil(lambda: tab.bubbles[-1].message.id == first_id)
    assert tab.bubbles[-1].label.text() == first_text
    assert tab.bubbles[-1].switcher.index == 0

    bubble = tab.bubbles[-1]
    bubble.edit_button.click()
    bubble.editor.setPlainText("Blue.")
    bubble.save_edit_button.click()
    qtbot.waitUntil(lambda: tab.bubbles and tab.bubbles[-1].label.text() == "Blue.")
    versions = store.versions(first_id)
    assert len(versions) == 3 and first_text in [v.content for v in versions]
    assert "edited" in tab.bubbles[-1].meta_label.text()


def test_broken_model_shows_error_and_window_lives(qtbot, monkeypatch, tmp_path, smollm2_path):
    errors = []
    monkeypatch.setattr(chat_tab_module, "show_error", lambda parent, title, err: errors.append((title, err)))
    copy = tmp_path / "broken.gguf"
    shutil.copy(smollm2_path, copy)
    w = _window(qtbot)
    tab = w.tab("ChatTab")
    info = tab.service.models.add(copy, name="Broken")
    copy.write_bytes(b"this is not a GGUF model at all")
    tab.reload_pickers()
    tab._select(tab.model_combo, info.id)
    assert tab.model_combo.currentData() == info.id
    _send(qtbot, tab, "Hi")
    assert errors and "broken.gguf" in str(errors[0][1])
    assert w.isVisible() and tab.send_button.isEnabled()
    assert not [b for b in tab.bubbles if b.role == "assistant"]


def test_sources_row_and_conversation_actions(qtbot, monkeypatch):
    w = _window(qtbot)
    tab = w.tab("ChatTab")
    store = tab.service.store
    conv = tab.service.new_conversation()
    store.rename_conversation(conv.id, "Trip plans")
    store.add_message(conv.id, "user", "Where do I live?")
    store.add_message(conv.id, "assistant", "In Recife.", persona_key="casual", model_id="smollm2-135m-instruct",
                      meta={"memory_sources": [{"id": 7, "text": "User lives in Recife", "source": "chat"}],
                            "notices": ["Older messages were left out."]})
    tab.refresh_conversations()
    tab.search_box.setText("recife")
    assert tab.conv_model.rowCount() == 1
    tab.search_box.setText("nothing-like-this")
    assert tab.conv_model.rowCount() == 0
    tab.search_box.setText("")
    tab.open_conversation(conv.id)
    from PySide6.QtWidgets import QLabel, QToolButton
    texts = [t.text() for t in tab.bubbles[-1].findChildren(QToolButton)]
    assert "Sources (1)" in texts
    assert any("Older messages" in lab.text() for lab in tab.chat_widget.findChildren(QLabel))
    monkeypatch.setattr(chat_tab_module.QMessageBox, "question",
                        lambda *a, **k: chat_tab_module.QMessageBox.StandardButton.Yes)
    tab.delete_conversation()
    assert tab.conv_model.rowCount() == 0 and not store.list_conversations()


def test_close_window_mid_stream_stores_shown_text(qtbot):
    w = _window(qtbot, max_tokens=400)
    tab = w.tab("ChatTab")
    tab.input.setPlainText("Tell me a very long story about the sea.")
    tab.send()
    qtbot.waitUntil(lambda: tab.stream_bubble is not None and len(tab.stream_bubble.label.text()) > 10,
                    timeout=60000)
    conv_id = tab.current_id
    w.close()  # MainWindow.closeEvent → ChatTab.shutdown() cancels and waits
    assert tab.worker is None
    reply = [m for m in tab.service.store.messages(conv_id) if m.role == "assistant"]
    assert len(reply) == 1 and reply[0].content.strip()
    assert reply[0].meta["completion_tokens"] < 400
