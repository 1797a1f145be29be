"""Chat tab with the real SmolLM2 model: send, stream, rate, persist; stop; regenerate; edit; errors."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from aeon_studio.app.chat import tab as chat_tab_module
from aeon_studio.app.context import AppContext
from aeon_studio.app.main_window import MainWindow

pytestmark = pytest.mark.gui


def _window(qtbot, max_tokens: int = 16) -> MainWindow:
    ctx = AppContext()
    ctx.chat.personas.update("casual", max_tokens=max_tokens, temperature=0.7)
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    tab = w.chat
    tab.reload_pickers()
    return w


def _send(qtbot, tab, text: str, timeout: int = 60000) -> None:
    tab.input.setPlainText(text)
    qtbot.keyClick(tab.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.worker is None, timeout=timeout)


def test_send_rate_and_reopen(qtbot):
    w = _window(qtbot)
    tab = w.chat
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
    tab2 = w2.chat
    qtbot.waitUntil(lambda: tab2.conv_model.rowCount() == 1)
    assert tab2.conv_model.rows[0].id == conv_id
    tab2.open_conversation(conv_id)
    roles = [b.role for b in tab2.bubbles]
    assert roles == ["user", "assistant"]
    assert tab2.bubbles[0].label.text() == "Hello! Who are you?"
    assert tab2.bubbles[1].rating.value() == 4


def test_empty_message_not_sent_and_stop_keeps_partial(qtbot):
    w = _window(qtbot, max_tokens=400)
    tab = w.chat
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
    assert reply[0].meta["finish_reason"] == "stopped" and tab.bubbles[-1].stopped_label is not None


def test_regenerate_switcher_and_edit(qtbot):
    w = _window(qtbot)
    tab = w.chat
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
    tab = w.chat
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
    tab = w.chat
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
    from PySide6.QtWidgets import QLabel, QMessageBox, QToolButton
    texts = [t.text() for t in tab.bubbles[-1].findChildren(QToolButton)]
    assert "Sources (1)" in texts
    assert any("Older messages" in lab.text() for lab in tab.chat_widget.findChildren(QLabel))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.delete_conversation()
    assert tab.conv_model.rowCount() == 0 and not store.list_conversations()


def test_close_window_mid_stream_stores_shown_text(qtbot):
    w = _window(qtbot, max_tokens=400)
    tab = w.chat
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


def _conversation(tab, pairs: int, long: bool = False, **reply_meta) -> tuple[int, list]:
    """A stored conversation of ``pairs`` question/answer turns; returns its id and the replies."""
    store = tab.service.store
    conv = tab.service.new_conversation("casual")
    replies = []
    for i in range(pairs):
        store.add_message(conv.id, "user", f"Question {i + 1}?")
        text = f"Answer {i + 1}." + (" More words to make it tall." * 12 if long else "")
        replies.append(store.add_message(conv.id, "assistant", text, persona_key="casual",
                                         model_id="smollm2-135m-instruct", meta=dict(reply_meta)))
    tab.refresh_conversations()
    tab.open_conversation(conv.id)
    return conv.id, replies


def _in_view(tab, widget) -> bool:
    from PySide6.QtCore import QPoint

    viewport = tab.scroll.viewport()
    top = widget.mapTo(viewport, QPoint(0, 0)).y()
    return widget.isVisible() and top >= 0 and top + min(widget.height(), 60) <= viewport.height()


def test_regenerating_an_earlier_reply_streams_and_stays_in_its_place(qtbot):
    w = _window(qtbot, max_tokens=8)
    tab = w.chat
    tab.service.personas.update("casual", memory_enabled=False)
    conv_id, (a1, a2) = _conversation(tab, 2)
    first = tab.bubbles[1]
    assert first.message.id == a1.id
    old_row = first.parentWidget()
    first.regenerate_button.click()
    stream_row = tab.stream_bubble.parentWidget()
    assert tab.chat_layout.indexOf(stream_row) == tab.chat_layout.indexOf(old_row) + 1 and old_row.isHidden()
    qtbot.waitUntil(lambda: tab.worker is None, timeout=60000)
    assert [b.role for b in tab.bubbles] == ["user", "assistant", "user", "assistant"]
    switcher = tab.bubbles[1].switcher
    assert switcher is not None and (switcher.index, switcher.count) == (1, 2)
    assert tab.bubbles[1].message.group_id == a1.id and tab.bubbles[3].message.id == a2.id
    assert [t["content"] for t in tab.service.history(conv_id)][2:] == ["Question 2?", "Answer 2."]


def test_edit_opens_in_place_visible_and_keeps_the_sources(qtbot):
    w = _window(qtbot)
    tab = w.chat
    sources = [{"id": 7, "text": "User lives in Recife", "source": "chat", "kind": "fact"}]
    _conversation(tab, 8, long=True, memory_sources=sources)
    bar = tab.scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())  # opened at the end
    bar.setValue(0)  # the user scrolls up to the first reply
    first = tab.bubbles[1]
    taller_than = bar.maximum()
    first.edit_button.click()
    qtbot.waitUntil(lambda: bar.maximum() > taller_than)  # laid out with the editor: the view has settled
    assert first.editor is not None and _in_view(tab, first.editor) and bar.value() < bar.maximum()
    first.editor.setPlainText("Answer one, corrected.")
    first.save_edit_button.click()
    qtbot.waitUntil(lambda: tab.bubbles and tab.bubbles[1].label.text() == "Answer one, corrected.")
    edited = tab.bubbles[1]
    qtbot.waitUntil(lambda: edited.parentWidget().y() > 0 and bar.maximum() > 0)  # laid out again
    assert _in_view(tab, edited) and bar.value() < bar.maximum() and "edited" in edited.meta_label.text()
    assert edited.sources_toggle is not None and edited.sources_toggle.text() == "Sources (1)"
    assert edited.message.meta["memory_sources"] == sources


def test_a_stopped_reply_is_marked(qtbot):
    w = _window(qtbot)
    tab = w.chat
    store = tab.service.store
    conv = tab.service.new_conversation("casual")
    store.add_message(conv.id, "user", "Tell me a story.")
    store.add_message(conv.id, "assistant", "Once upon a", meta={"finish_reason": "stopped"})
    store.add_message(conv.id, "user", "Thanks.")
    store.add_message(conv.id, "assistant", "You're welcome!", meta={"finish_reason": "stop"})
    store.add_message(conv.id, "user", "A long story, please.")
    store.add_message(conv.id, "assistant", "It was a dark and stormy night, and the", meta={"finish_reason": "length"})
    tab.open_conversation(conv.id)
    stopped, finished, cut = tab.bubbles[1], tab.bubbles[3], tab.bubbles[5]
    assert stopped.stopped_label is not None and stopped.stopped_label.text().endswith("Stopped")
    assert not stopped.stopped_label.isHidden() and finished.stopped_label is None
    # a reply cut at the persona's length limit says so too (it ended mid-word for a new user, unmarked)
    assert cut.stopped_label is not None and cut.stopped_label.text().endswith("Cut off at the length limit")


def test_remembered_fact_is_confirmed_with_undo(qtbot):
    from aeon_studio.app.chat.notes import RememberedNote
    from aeon_studio.core.memory import get_memory

    w = _window(qtbot)
    tab = w.chat
    item = get_memory().add("My dog is called Bolinha.", kind="fact")
    store = tab.service.store
    conv = tab.service.new_conversation("casual")
    store.add_message(conv.id, "user", "Remember that my dog is called Bolinha.")
    store.add_message(conv.id, "assistant", "Got it!", meta={"memory_saved": [{"id": item.id, "text": item.text}]})
    tab.open_conversation(conv.id)
    notes = tab.chat_widget.findChildren(RememberedNote)
    assert len(notes) == 1 and notes[0].label.text().endswith("Remembered: “My dog is called Bolinha.”")
    notes[0].undo_button.click()
    assert get_memory().exists([item.id]) == set()
    assert notes[0].forgotten and notes[0].undo_button.isHidden()
    tab.open_conversation(conv.id)  # reopened: it says it was forgotten, with nothing to undo
    def shown():
        return [n for n in tab.chat_widget.findChildren(RememberedNote) if n.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1)
    assert shown()[0].forgotten and shown()[0].label.text() == "Forgotten: “My dog is called Bolinha.”"


def test_header_shows_the_adapter_and_goes_back_to_the_previous_one(qtbot, smollm2_path, aeon_home):
    from aeon_studio.core.export.adapters import activate, deactivate
    from aeon_studio.core.export.demo import random_peft_lora
    from aeon_studio.core.storage.training_tables import AdapterRow

    w = _window(qtbot)
    tab = w.chat
    for n in (1, 2):
        folder = random_peft_lora(aeon_home / "peft" / str(n), smollm2_path, r=2, seed=n)
        with tab.ctx.db.session() as s:
            s.add(AdapterRow(id=f"casual-v{n}", name=f"Casual v{n}", base_model_id="smollm2-135m-instruct",
                             path=str(folder)))
    header = tab.header
    assert "base model, no adapter" in header.label.text() and header.back_button.isHidden()
    activate("casual-v1", "casual", tab.ctx.db)
    activate("casual-v2", "casual", tab.ctx.db)
    qtbot.waitUntil(lambda: "Casual v2 (casual-v2)" in header.label.text(), timeout=10000)  # bound elsewhere
    assert not header.back_button.isHidden() and "Casual v1" in header.back_button.toolTip()
    header.back_button.click()
    assert tab.service.personas.get("casual").adapter_id == "casual-v1"
    assert "Casual v1 (casual-v1)" in header.label.text() and "Casual v2" in header.back_button.toolTip()
    tab._select(tab.persona_combo, "tecnico")  # another persona: its own adapter (none)
    assert "base model" in header.label.text() and header.back_button.isHidden()
    tab._select(tab.persona_combo, "casual")
    deactivate("casual", tab.ctx.db)
    qtbot.waitUntil(lambda: "base model" in header.label.text(), timeout=10000)
    assert header.back_button.text() == "↶ Back to the previous version"
