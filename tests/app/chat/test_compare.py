"""Compare dialog (blind A/B in the chat): opened from a reply with its question, both replies side by side
without model names, one click votes and reveals, the standings update; Stop stores nothing; errors show."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select

from aeon_studio.app.chat import compare as compare_module
from aeon_studio.app.chat.compare import CompareDialog
from aeon_studio.app.chat.tab import ChatTab
from aeon_studio.app.context import AppContext
from aeon_studio.core.evaluation import arena
from aeon_studio.core.storage.evaluation_tables import ArenaMatch
from aeon_studio.core.storage.training_tables import AdapterRow

pytestmark = pytest.mark.gui


@pytest.fixture()
def ctx(monkeypatch, tmp_path):
    """An app context with one adapter ("v1"); generation replaced by "reply of <model>"."""
    from aeon_studio.core.export import adapters

    context = AppContext()
    with context.db.session() as s:
        s.add(AdapterRow(id="v1", name="v1", base_model_id="smollm2-135m-instruct", path=str(tmp_path)))
    monkeypatch.setattr(adapters, "lora_gguf", lambda adapter_id, db=None: tmp_path / f"{adapter_id}.gguf")
    monkeypatch.setattr(arena, "_generate", lambda side, messages, params, db, stop: f"reply of {side.ref}")
    return context


def _tab_with_reply(qtbot, ctx) -> ChatTab:
    store = ctx.chat.store
    conv = ctx.chat.new_conversation("casual")
    store.add_message(conv.id, "user", "Who are you?", persona_key="casual")
    store.add_message(conv.id, "assistant", "I am Aeon.", persona_key="casual")
    tab = ChatTab(ctx)
    qtbot.addWidget(tab)
    tab.open_conversation(conv.id)
    return tab


def _ask(qtbot, dlg: CompareDialog) -> None:
    dlg.ask_button.click()
    qtbot.waitUntil(lambda: dlg.job is None, timeout=10000)


def test_compare_from_a_reply_votes_then_reveals(qtbot, ctx):
    tab = _tab_with_reply(qtbot, ctx)
    reply = next(b for b in tab.bubbles if b.role == "assistant")
    reply.compare_button.click()
    dlg = tab.findChild(CompareDialog)
    assert dlg is not None and dlg.isVisible()
    assert dlg.prompt.toPlainText() == "Who are you?" and dlg.persona_key == "casual"
    assert not dlg.panels[0].vote_button.isEnabled()  # nothing to vote on yet
    dlg.second_combo.setCurrentIndex(dlg.second_combo.findData("v1"))
    dlg.first_combo.setCurrentIndex(dlg.first_combo.findData("base"))
    _ask(qtbot, dlg)
    texts = [p.text.text() for p in dlg.panels]
    assert sorted(texts) == ["reply of base", "reply of v1"]
    assert all(not p.reveal.text() for p in dlg.panels)  # blind until the vote
    assert dlg.standings.rowCount() == 0 and "No votes yet" in dlg.standings_title.text()
    with qtbot.waitSignal(dlg.voted, timeout=2000):
        dlg.panels[texts.index("reply of v1")].vote_button.click()
    reveals = [p.reveal.text() for p in dlg.panels]
    assert "Written by: Version v1" in reveals and "Written by: Base model" in reveals
    assert "arena-casual" in dlg.result.text()
    assert not any(b.isEnabled() for b in (dlg.tie_button, dlg.both_bad_button, *[p.vote_button for p in dlg.panels]))
    assert dlg.standings.rowCount() == 2 and dlg.standings.rows[0].model == "v1"
    from aeon_studio.core.datasets.store import DatasetStore

    assert DatasetStore(ctx.db).preference_pairs("arena-casual")[0]["chosen"] == "reply of v1"
    _ask(qtbot, dlg)  # ask again: a fresh blind match
    assert all(p.vote_button.isEnabled() and not p.reveal.text() for p in dlg.panels)
    dlg.both_bad_button.click()
    assert "no preference" in dlg.result.text()
    dlg.close()


def test_stop_stores_nothing_and_errors_are_shown(qtbot, ctx, monkeypatch):
    started = threading.Event()

    def slow(side, messages, params, db, should_stop):
        started.set()
        while not should_stop():
            threading.Event().wait(0.01)
        raise arena.ArenaCancelled("Stopped; the comparison was not stored.")

    monkeypatch.setattr(arena, "_generate", slow)
    tab = _tab_with_reply(qtbot, ctx)
    tab.arena_button.click()  # the arena on any question, from the chat's toolbar
    dlg = tab.findChild(CompareDialog)
    assert dlg is not None and dlg.prompt.toPlainText() == ""
    dlg.prompt.setPlainText("Hello")
    assert (dlg.first_combo.currentData(), dlg.second_combo.currentData()) == ("v1", "base")  # nothing bound
    dlg.ask_button.click()
    assert started.wait(5) and dlg.stop_button.isEnabled() and not dlg.ask_button.isEnabled()
    dlg.stop_button.click()
    qtbot.waitUntil(lambda: dlg.job is None, timeout=5000)
    assert "Stopped" in dlg.status.text() and dlg.ask_button.isEnabled()
    with ctx.db.session() as s:
        assert s.exec(select(ArenaMatch)).all() == []

    shown = []
    monkeypatch.setattr(compare_module, "show_error", lambda parent, title, exc: shown.append(str(exc)))
    dlg.first_combo.setCurrentIndex(dlg.first_combo.findData("base"))
    dlg.second_combo.setCurrentIndex(dlg.second_combo.findData("active"))  # no adapter bound: the same model
    _ask(qtbot, dlg)
    assert shown and "same model" in shown[0]
    dlg.close()
