"""Memory tab (list, search, filter, add/edit/forget, forget-about, import, status/rebuild) and the chat's
memory sources (Open, Forget), with the real embedding model."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QInputDialog, QMessageBox

from aeon_studio.app.memory import tab as memory_tab_module
from aeon_studio.app.context import AppContext
from aeon_studio.app.memory.tab import MemoryTab
from aeon_studio.app.memory import sources as memory_source_module
from aeon_studio.app.memory import store as memory_store_module
from aeon_studio.app.memory.model import KIND, SCORE, SOURCE

pytestmark = [pytest.mark.gui, pytest.mark.model]

FACTS = ["My sister Clara lives in Porto and works as a nurse.",
         "I am allergic to peanuts.",
         "Clara's birthday is on June 12.",
         "The car needs new tyres before the winter."]
WAIT = 120_000


@pytest.fixture()
def errors(monkeypatch):
    seen: list = []
    monkeypatch.setattr(memory_tab_module, "show_error", lambda parent, title, err: seen.append((title, err)))
    return seen


@pytest.fixture()
def ctx():
    return AppContext()


@pytest.fixture()
def store(ctx):
    return memory_store_module.memory_store(ctx)


@pytest.fixture()
def tab(qtbot, ctx, errors):
    widget = MemoryTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    yield widget
    widget.shutdown()


def _texts(tab) -> list[str]:
    return [tab.model.item(r).text for r in range(tab.model.rowCount())]


def _wait(qtbot, tab) -> None:
    qtbot.waitUntil(lambda: tab.job is None, timeout=WAIT)
    qtbot.wait(20)


def _answer(monkeypatch, name: str, value) -> list:
    """Replace a static dialog (QInputDialog.getText, QMessageBox.question…) with a fixed answer."""
    calls: list = []
    owner = QMessageBox if name in ("question", "information") else QInputDialog

    def fake(*args, **kwargs):
        calls.append(args)
        return value

    monkeypatch.setattr(owner, name, staticmethod(fake))
    return calls


def test_window_has_the_tab_and_does_not_touch_memory_at_start(qtbot):
    from aeon_studio.app.main_window import MainWindow

    w = MainWindow(AppContext())
    qtbot.addWidget(w)
    w.show()
    tab = w.memory
    assert w.tabs.indexOf(w.memory) == w.tabs.indexOf(w.personas) + 1
    assert tab.tab_title() == "Memory"
    assert tab._store is None  # nothing read until the tab is shown
    w.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.empty_label.isVisible())
    assert "Nothing remembered yet" in tab.empty_label.text()
    assert not tab.view.isVisible() and tab.count_label.text() == "0 memories"
    assert "0 memories" in tab.status_label.text()


def test_list_search_filter_and_search_by_meaning(qtbot, tab, store):
    for text in FACTS:
        store.add(text)
    store.add("You asked for a soup recipe; the answer was a pumpkin soup with ginger.", kind="exchange",
              source="you said, conversation 3", source_ref="conversation:3/message:8")
    tab.reload()
    assert tab.model.rowCount() == 5 and tab.view.isVisible()
    assert tab.count_label.text() == "5 memories"
    assert tab.view.isColumnHidden(SCORE)
    assert _texts(tab)[0].startswith("You asked for a soup")  # newest first
    soup = tab.model.index(0, KIND)
    assert tab.model.data(soup) == "conversation"
    assert tab.model.data(tab.model.index(0, SOURCE)) == "you said, conversation 3"

    tab.search_box.setText("clara")  # debounced: the list changes a moment later
    assert tab.model.rowCount() == 5
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=3000)
    assert all("Clara" in t for t in _texts(tab))

    tab.search_box.setText("")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 5, timeout=3000)
    tab.kind_combo.setCurrentIndex(tab.kind_combo.findData("exchange"))
    assert _texts(tab) == ["You asked for a soup recipe; the answer was a pumpkin soup with ginger."]
    tab.kind_combo.setCurrentIndex(tab.kind_combo.findData("passage"))
    assert tab.model.rowCount() == 0 and "No memory matches" in tab.empty_label.text()
    tab.kind_combo.setCurrentIndex(0)

    tab.search_box.setText("food I must never eat")  # no word in common with the peanut fact
    tab.refresh()
    assert tab.model.rowCount() == 0
    tab.semantic_check.setChecked(True)
    assert tab.job is not None and tab.progress.isVisible()
    _wait(qtbot, tab)
    assert not tab.view.isColumnHidden(SCORE)
    assert _texts(tab)[0] == "I am allergic to peanuts."
    assert tab.model.data(tab.model.index(0, SCORE)).endswith("%")
    assert "closest memories" in tab.count_label.text()
    assert not tab.progress.isVisible()


def test_add_edit_and_forget_selected(qtbot, tab, store, monkeypatch, errors):
    tab.reload()
    _answer(monkeypatch, "getMultiLineText", ("  Remember: my bike is a blue Brompton.  ", True))
    tab.add_button.click()
    assert not tab.add_button.isEnabled()  # busy while it embeds
    _wait(qtbot, tab)
    assert _texts(tab) == ["Remember: my bike is a blue Brompton."]
    assert tab.model.data(tab.model.index(0, KIND)) == "fact"
    assert "Remembered" in tab.message_label.text()
    assert not tab.edit_button.isEnabled()

    tab.select_row(0)
    assert tab.edit_button.isEnabled() and tab.forget_button.isEnabled()
    calls = _answer(monkeypatch, "getMultiLineText", ("My bike is a green Brompton.", True))
    tab.edit_button.click()
    assert calls[0][3] == "Remember: my bike is a blue Brompton."  # the dialog starts with the current text
    _wait(qtbot, tab)
    assert _texts(tab) == ["My bike is a green Brompton."]
    hits = store.search("what colour is my bicycle", k=1)
    assert hits and hits[0].item.text == "My bike is a green Brompton."

    store.add("I work from home on Fridays.")
    tab.reload()
    tab.select_row(1)
    asked = _answer(monkeypatch, "question", QMessageBox.StandardButton.No)
    tab.forget_button.click()
    assert "green Brompton" in asked[0][2] and store.count() == 2  # declined: nothing forgotten
    _answer(monkeypatch, "question", QMessageBox.StandardButton.Yes)
    tab.forget_button.click()
    _wait(qtbot, tab)
    assert _texts(tab) == ["I work from home on Fridays."] and store.count() == 1
    assert all(h.item.text != "My bike is a green Brompton." for h in store.search("bike", k=5, threshold=0.0))
    assert "Forgot 1 memory" in tab.message_label.text()
    assert not errors


def test_forget_everything_about_a_topic_asks_first(qtbot, tab, store, monkeypatch):
    for text in FACTS:
        store.add(text)
    tab.reload()
    _answer(monkeypatch, "getText", ("Clara", True))
    asked = _answer(monkeypatch, "question", QMessageBox.StandardButton.No)
    tab.forget_about_button.click()
    _wait(qtbot, tab)
    assert len(asked) == 1
    listed = asked[0][2]
    assert "Porto" in listed and "June 12" in listed and "tyres" not in listed
    assert {m.text for m in tab.last_matches} >= {FACTS[0], FACTS[2]}
    assert store.count() == 4 and "Nothing was forgotten" in tab.message_label.text()

    _answer(monkeypatch, "question", QMessageBox.StandardButton.Yes)
    tab.forget_about_button.click()
    _wait(qtbot, tab)  # the dry run
    _wait(qtbot, tab)  # then the forgetting
    qtbot.waitUntil(lambda: "Clara" not in " ".join(_texts(tab)), timeout=WAIT)
    remaining = {i.text for i in store.list()}
    assert FACTS[0] not in remaining and FACTS[2] not in remaining
    assert "The car needs new tyres before the winter." in remaining
    assert "about “Clara”" in tab.message_label.text()

    informed = _answer(monkeypatch, "information", QMessageBox.StandardButton.Ok)
    _answer(monkeypatch, "getText", ("submarine navigation", True))
    tab.forget_about_button.click()
    _wait(qtbot, tab)
    assert informed and "Nothing in memory" in informed[0][2]
    assert len(store.list()) == len(remaining)


def test_import_markdown_with_progress_and_drop(qtbot, tab, store, tmp_path, errors):
    doc = tmp_path / "garden.md"
    doc.write_text("# Garden\n\nThe tomatoes need water every morning in summer.\n\n"
                   "## Roses\n\nPrune the roses in late winter, just above an outward-facing bud.\n",
                   encoding="utf-8")
    tab.reload()
    job = tab.import_documents([doc])
    assert job is not None and tab.cancel_button.isVisible() and tab.progress.isVisible()
    _wait(qtbot, tab)
    assert not errors, errors
    result = tab.last_import
    assert result.files == 1 and result.passages >= 1 and not result.errors
    assert tab.message_label.text().startswith("Files imported: 1 · passages: ")
    assert tab.progress.maximum() == 100 and tab.progress.value() == 100  # the bar ran to the end
    assert not tab.progress.isVisible() and not tab.cancel_button.isVisible()
    assert tab.model.rowCount() == result.passages
    assert {tab.model.data(tab.model.index(r, KIND)) for r in range(tab.model.rowCount())} == {"document"}
    assert "garden.md" in tab.model.data(tab.model.index(0, SOURCE))
    assert any("tomatoes" in t for t in _texts(tab))

    doc.write_text("# Garden\n\nThe tomatoes need water twice a day in a heat wave.\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(doc)), QUrl.fromLocalFile(str(tmp_path / "photo.png"))])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    tab.dropEvent(drop)
    assert tab.job is not None
    _wait(qtbot, tab)
    assert tab.last_import.replaced == 1 and "changed files replaced: 1" in tab.message_label.text()
    assert any("twice a day" in t for t in _texts(tab)) and not any("every morning" in t for t in _texts(tab))


def test_import_cancel(qtbot, tab, store, tmp_path, monkeypatch):
    docs = []
    for n in range(3):
        docs.append(tmp_path / f"note{n}.txt")
        docs[-1].write_text(f"Note {n}: the spare key is under flower pot number {n}.", encoding="utf-8")
    real = store.import_documents

    def slow_import(paths, *, progress=None, cancel=None):
        deadline = time.monotonic() + 10
        while not cancel() and time.monotonic() < deadline:  # in the job's thread: wait for Cancel
            time.sleep(0.01)
        return real(paths, progress=progress, cancel=cancel)

    monkeypatch.setattr(store, "import_documents", slow_import)
    tab.reload()
    tab.import_documents(docs)
    assert tab.cancel_button.isVisible()
    tab.cancel_button.click()
    assert not tab.cancel_button.isEnabled() and tab.message_label.text() == "Cancelling…"
    _wait(qtbot, tab)
    assert tab.last_import.cancelled and tab.last_import.files == 0
    assert tab.message_label.text().startswith("Import cancelled.")
    assert store.count() == 0


def test_import_errors_reach_the_user(qtbot, tab, tmp_path, errors):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"this is not a pdf")
    tab.reload()
    tab.import_documents([bad])
    _wait(qtbot, tab)
    assert errors and "broken.pdf" in str(errors[0][1])


def test_status_line_and_rebuild(qtbot, tab, store):
    for text in FACTS[:3]:
        store.add(text)
    tab.reload()
    assert "3 memories" in tab.status_label.text() and "all-MiniLM-L6-v2" in tab.status_label.text()
    tab.rebuild()
    assert not tab.rebuild_button.isEnabled()
    _wait(qtbot, tab)
    assert tab.rebuild_button.isEnabled()
    assert "3 indexed" in tab.status_label.text() and tab.progress.value() == 100
    assert "Index rebuilt: 3 memories indexed" in tab.message_label.text()
    assert store.search("Where does my sister live?", k=1)[0].item.text == FACTS[0]


def test_errors_go_to_show_error(qtbot, tab, store, monkeypatch, errors):
    from aeon_studio.core.memory import MemoryError

    tab.reload()

    def broken(*_a, **_k):
        raise MemoryError("The memory database is locked.")

    monkeypatch.setattr(store, "add", broken)
    tab.add_fact("something")
    _wait(qtbot, tab)
    assert errors and errors[0][0] == "Could not add the memory" and "locked" in str(errors[0][1])
    assert tab.add_button.isEnabled()


# -- chat sources -------------------------------------------------------------------------------
def test_chat_reply_sources_open_and_forget(qtbot, ctx, store, tmp_path, monkeypatch):
    from aeon_studio.app.chat.tab import ChatTab

    fact = store.add(FACTS[1])
    doc = tmp_path / "menu.md"
    doc.write_text("# Menu\n\nNo peanuts anywhere: use sunflower seeds in the satay sauce.\n", encoding="utf-8")
    store.import_documents([doc])
    passage = store.list(kind="passage")[0]
    svc = ctx.chat
    conv = svc.store.create_conversation("casual", ctx.settings.default_model, "Dinner")
    svc.store.add_message(conv.id, "user", "What should I avoid at dinner?")
    sources = [{"id": fact.id, "text": fact.text, "source": fact.source, "kind": "fact", "score": 0.81},
               {"id": passage.id, "text": passage.text, "source": passage.source, "kind": "passage", "score": 0.52}]
    svc.store.add_message(conv.id, "assistant", "Avoid peanuts.", meta={"memory_sources": sources})
    tab = ChatTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.open_conversation(conv.id)
    bubble = tab.bubbles[-1]
    assert bubble.sources_toggle.text() == "Sources (2)"
    rows = bubble.source_rows
    assert len(rows) == 2 and not rows[0].isVisibleTo(bubble)
    bubble.sources_toggle.click()
    assert rows[0].isVisibleTo(bubble) and bubble.sources_toggle.arrowType() == Qt.ArrowType.DownArrow
    assert rows[0].text_label.text() == FACTS[1]
    assert "fact" in rows[0].origin_label.text() and "81%" in rows[0].origin_label.text()
    assert "menu.md" in rows[1].origin_label.text()

    opened: list = []
    monkeypatch.setattr(memory_source_module.QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    fact_dlg = bubble._open_source(rows[0])  # a fact has no document to open; Enter closes, never forgets
    assert not fact_dlg.open_button.isVisibleTo(fact_dlg)
    assert not fact_dlg.forget_button.isDefault() and not fact_dlg.forget_button.autoDefault()
    fact_dlg.close()
    dlg = bubble._open_source(rows[1])
    assert "sunflower seeds" in dlg.text_view.toPlainText()
    assert dlg.kind_label.text() == "document" and "menu.md" in dlg.source_label.text()
    assert dlg.date_label.text()[:2] == "20"
    assert dlg.open_button.isVisibleTo(dlg)
    dlg.open_button.click()
    assert opened == [str(doc)]
    dlg.forget_button.click()
    assert rows[1].forgotten and not rows[1].forget_button.isEnabled()
    assert "forgotten" in dlg.note.text() and not dlg.forget_button.isEnabled()
    assert passage.id not in {i.id for i in store.list()}
    dlg.close()

    rows[0].forget_button.click()
    assert rows[0].forgotten and "(forgotten)" in rows[0].origin_label.text()
    assert store.count() == 0
    assert all(h.item.id != fact.id for h in store.search("peanuts", k=5, threshold=0.0))
    again = bubble._open_source(rows[0])  # a forgotten source still opens, from what the reply recorded
    assert again.text_view.toPlainText() == FACTS[1] and not again.forget_button.isEnabled()
    again.close()


def test_embedding_model_warms_up_after_start_only_when_there_is_memory(qtbot, ctx, monkeypatch):
    from aeon_studio.app.main_window import MainWindow
    from aeon_studio.core.memory import MemoryStore

    calls: list[str] = []
    monkeypatch.setattr(MemoryStore, "warm_up", lambda self: calls.append("warm"))
    monkeypatch.setattr(memory_store_module, "WARM_UP_DELAY_MS", 0)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    qtbot.wait(300)
    assert calls == []  # an empty memory: nothing to recall, torch stays unloaded

    memory_store_module.memory_store(ctx).add("I am allergic to peanuts.")
    other = MainWindow(ctx)
    qtbot.addWidget(other)
    qtbot.waitUntil(lambda: calls == ["warm"], timeout=5000)


def test_sources_and_exchanges_show_in_the_interface_language(qtbot):
    """Stored in English (the model reads the exchange), shown translated: no "conversation 6" in pt_BR."""
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from aeon_studio.core import i18n
    from aeon_studio.app.memory.model import TEXT, MemoryItemsModel

    item = SimpleNamespace(id=1, kind="exchange", text="User: I moved to Lisbon\nAssistant: How exciting!",
                           source="conversation 6", source_ref="conversation:6/message:2",
                           created_at=datetime(2026, 1, 2, tzinfo=timezone.utc), updated_at=None)
    model = MemoryItemsModel()
    model.set_rows([(item, None)])
    cell = lambda col: model.data(model.index(0, col))  # noqa: E731
    assert (cell(TEXT), cell(SOURCE)) == ("User: I moved to Lisbon Assistant: How exciting!", "conversation 6")
    i18n.set_language("pt_BR")
    try:
        assert (cell(TEXT), cell(SOURCE), cell(KIND)) == (
            "Você: I moved to Lisbon Assistente: How exciting!", "conversa 6", "conversa")
        row = memory_source_module.SourceRow({"id": 1, "kind": "exchange", "text": item.text,
                                              "source": "you said, conversation 6", "score": 0.5})
        qtbot.addWidget(row)
        assert row.text_label.text().startswith("Você: I moved")
        assert "você disse, conversa 6" in row.origin_label.text()
    finally:
        i18n.set_language(None)
