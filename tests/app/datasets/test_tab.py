"""Dataset tab: lazy model over 20k/100k rows, search and filters, edit, delete, stats, export, builders,
import through the dialog, drag-and-drop, review of generated questions, render."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from tests.core.datasets.test_browse import bulk_examples

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx():
    from aeon_studio.app.context import AppContext

    context = AppContext()
    yield context
    context.close()  # stop its change watch before the next test's database


@pytest.fixture
def demo_tab(qtbot, ctx):
    from aeon_studio.app.datasets.tab import DatasetTab
    from aeon_studio.app.demo.datasets import seed_demo

    seed_demo(ctx)
    tab = DatasetTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1180, 760)
    tab.reload_datasets(select="demo-support")
    return tab


def test_model_pages_over_20k_rows(qtbot, ctx):
    from aeon_studio.app.datasets.model import ID_ROLE, ExamplesModel

    bulk_examples("big", 20_000, db=ctx.db)
    model = ExamplesModel(ctx.db, page_size=200, fetch_step=500)
    model.set_dataset("big")
    assert model.total == 20_000
    assert model.rowCount() == 500 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 1000
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 20_000 and model.queries == 0  # growing the row count reads nothing
    far = model.index(19_999, 0)
    assert model.data(far) == "question number 19999"
    assert model.data(model.index(19_999, 1)) == "answer number 19999"
    assert model.data(model.index(19_998, 3)) in ("general", "technical", "support", "legal")
    assert isinstance(model.data(far, ID_ROLE), int)
    assert model.queries == 1  # one page read for both rows
    assert model.data(model.index(20_000, 0)) is None
    # a filter change resets the row count to the first window
    model.set_filters(source="chats")
    assert model.total == 10_000 and model.rowCount() == 500
    assert model.data(model.index(1, 0)) == "question number 2"
    model.set_filters(source="chats", search="number 19998")
    assert model.total == 1 and model.rowCount() == 1 and not model.canFetchMore()
    model.set_filters()
    assert model.total == 20_000


def test_table_over_100k_rows_reads_only_visible_pages(qtbot, ctx, monkeypatch):
    from aeon_studio.app.datasets.tab import DatasetTab
    from aeon_studio.core.datasets import browse

    t0 = time.perf_counter()
    bulk_examples("huge", 100_000, db=ctx.db)
    seeded = time.perf_counter() - t0
    calls = []
    real = browse.query_examples

    def counted(*a, **kw):
        calls.append(kw.get("offset"))
        return real(*a, **kw)

    monkeypatch.setattr(browse, "query_examples", counted)
    tab = DatasetTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1180, 760)
    tab.show()
    qtbot.waitExposed(tab)
    t1 = time.perf_counter()
    tab.reload_datasets(select="huge")
    qtbot.wait(50)
    model = tab.model
    assert model.total == 100_000 and len(calls) <= 2
    while model.canFetchMore():
        model.fetchMore()
    tab.table.scrollToBottom()
    qtbot.wait(50)
    last = model.index(99_999, 0)
    assert model.data(last) == "question number 99999"
    elapsed = time.perf_counter() - t1
    # Only the pages on screen (top and bottom) were read, never the 500 pages of the dataset.
    assert len(calls) <= 6, calls
    assert len(model._pages) <= model.max_pages
    assert elapsed < 5, f"opening and scrolling 100k rows took {elapsed:.2f} s (seeding took {seeded:.2f} s)"
    # the search goes through SQL too (one count + the visible page)
    before = len(calls)
    tab.search.setText("number 99998")
    qtbot.waitUntil(lambda: model.total == 1, timeout=3000)
    assert len(calls) - before <= 2


def test_search_is_debounced_and_filters_combine(qtbot, demo_tab):
    tab = demo_tab
    assert tab.model.total == 34 and tab.stack.currentWidget() is tab.table
    tab.search.setText("sen")
    tab.search.setText("senha")
    assert tab.model.total == 34  # not applied on every keystroke
    qtbot.waitUntil(lambda: tab.model.total == 1, timeout=2000)
    assert tab.model.data(tab.model.index(0, 0)) == "Esqueci minha senha, como recupero a conta?"
    assert tab.count_label.text() == "1 example"
    tab.search.setText("")
    qtbot.waitUntil(lambda: tab.model.total == 34, timeout=2000)
    tab.domain_filter.setCurrentIndex(tab.domain_filter.findData("legal"))
    assert tab.model.total == 4
    tab.rating_filter.setCurrentIndex(tab.rating_filter.findData(5))
    assert tab.model.total == 1  # the LGPD answer
    tab.search.setText("zzz-nothing")
    qtbot.waitUntil(lambda: tab.stack.currentWidget() is tab.empty, timeout=2000)
    assert "No example matches" in tab.empty.text()
    tab.search.setText("")
    tab.domain_filter.setCurrentIndex(0)
    tab.rating_filter.setCurrentIndex(0)
    tab.source_filter.setCurrentIndex(tab.source_filter.findData("chats"))
    qtbot.waitUntil(lambda: tab.model.total == 14, timeout=2000)
    tab.source_filter.setCurrentIndex(0)
    tab.date_filter.setCurrentIndex(tab.date_filter.findData("7d"))
    assert 0 < tab.model.total < 34


def test_edit_records_history_and_refreshes(qtbot, demo_tab):
    from aeon_studio.core.datasets import browse

    tab = demo_tab
    tab.table.selectRow(0)
    assert tab.edit_btn.isEnabled()
    editor = tab.edit_example(0)
    assert editor is not None and [r.message()["role"] for r in editor.rows] == ["user", "assistant"]
    ex_id = tab.model.example_id(0)
    old = browse.get_example(ex_id, db=tab.ctx.db).messages
    editor.rows[-1].text.setPlainText("Use o instalador oficial de python.org e marque Add to PATH.")
    editor.add_turn("user", "E no Linux?")
    editor.add_turn("assistant", "Já vem instalado; confira com python3 --version.")
    editor.accept()
    row = browse.get_example(ex_id, db=tab.ctx.db)
    assert row.edited and len(row.messages) == 4 and row.messages[1]["content"].startswith("Use o instalador")
    edits = browse.example_edits(ex_id, db=tab.ctx.db)
    assert len(edits) == 1 and edits[0].before == old
    assert tab.model.data(tab.model.index(0, 1)).startswith("Use o instalador")
    assert tab.model.data(tab.model.index(0, 2)) == 4
    assert tab.stats.edited.text() == "1"
    # an invalid edit is refused with a dialog and changes nothing
    shown = []
    import aeon_studio.app.datasets.tab as mod

    mod_show = mod.show_error
    mod.show_error = lambda parent, title, err: shown.append(str(err))
    try:
        editor = tab.edit_example(0)
        editor.rows[-1].text.setPlainText("   ")
        editor.accept()
    finally:
        mod.show_error = mod_show
    assert shown and "empty" in shown[0]
    assert len(browse.example_edits(ex_id, db=tab.ctx.db)) == 1


def test_delete_asks_then_removes_and_updates_stats(qtbot, demo_tab, monkeypatch):
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtWidgets import QMessageBox

    tab = demo_tab
    sel = tab.table.selectionModel()
    for r in (0, 1, 2):
        sel.select(tab.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)
    assert tab.delete_btn.isEnabled() and len(tab.selected_ids()) == 3
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    tab.delete_btn.click()
    assert tab.model.total == 34
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    tab.delete_btn.click()
    assert tab.model.total == 31
    assert tab.stats.examples.text() == "31"
    assert tab.datasets.currentItem().text(1) == "31"
    assert not tab.delete_btn.isEnabled()


def test_export_runs_in_a_thread_and_writes_jsonl(qtbot, demo_tab, tmp_path):
    tab = demo_tab
    out = tmp_path / "out" / "demo.jsonl"
    tab.export_format.setCurrentIndex(tab.export_format.findData("sharegpt"))
    job = tab.export_to(out)
    assert job is not None and not tab.export_btn.isEnabled()
    qtbot.waitUntil(job.isFinished, timeout=10000)  # a started job may signal before a waitSignal connects
    qtbot.waitUntil(lambda: tab.export_btn.isEnabled(), timeout=2000)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 34 and rows[0]["conversations"][0]["from"] == "human"
    assert "Quem é você?" in out.read_text(encoding="utf-8")  # non-ASCII kept as is
    assert "34" in tab.export_status.text()
    # DPO on a dataset without pairs is an error shown to the user, not a crash
    errors = []
    import aeon_studio.app.datasets.tab as mod

    monkey = mod.show_error
    mod.show_error = lambda parent, title, err: errors.append(str(err))
    try:
        tab.export_format.setCurrentIndex(tab.export_format.findData("dpo"))
        job = tab.export_to(tmp_path / "dpo.jsonl")
        qtbot.waitUntil(job.isFinished, timeout=10000)  # a started job may signal before a waitSignal connects
        qtbot.waitUntil(lambda: bool(errors), timeout=2000)
    finally:
        mod.show_error = monkey
    assert "preference pairs" in errors[0] and not (tmp_path / "dpo.jsonl").exists()


def test_identity_and_from_chats_builders(qtbot, ctx):
    from PySide6.QtCore import Qt

    from aeon_studio.app.datasets.tab import DatasetTab

    tab = DatasetTab(ctx)
    qtbot.addWidget(tab)
    assert tab.stack.currentWidget() is tab.empty and "No dataset yet" in tab.empty.text()
    assert not tab.export_btn.isEnabled() and not tab.delete_ds_btn.isEnabled()
    job = tab.identity_set(options={"name": "me", "assistant_name": "Aeon", "creator": "Ana", "description": ""})
    qtbot.waitUntil(job.isFinished, timeout=10000)  # a started job may signal before a waitSignal connects
    qtbot.waitUntil(lambda: tab.current == "me", timeout=2000)
    assert tab.model.total >= 60 and tab.stats.stats["kind"] == "identity"
    assert "identity examples" in tab.export_status.text()
    job = tab.from_chats(options={"name": "chats", "min_likert": 4, "since": "30d", "persona": None})
    qtbot.waitUntil(job.isFinished, timeout=10000)  # a started job may signal before a waitSignal connects
    qtbot.waitUntil(lambda: tab.current == "chats", timeout=2000)
    assert tab.model.total == 0 and "has no examples yet" in tab.empty.text()
    names = [tab.datasets.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
             for i in range(tab.datasets.topLevelItemCount())]
    assert names == ["chats", "me"]
    tab.delete_dataset(confirm=False)
    assert tab.current == "me"


def test_review_dialog_with_a_candidate_api(qtbot):
    from aeon_studio.app.datasets.builders import candidate_api
    from aeon_studio.app.datasets.dialogs import ReviewDialog

    class Fake:
        def __init__(self):
            self.rows = [{"id": 1, "question": "What is LoRA?", "answer": "A low-rank adapter.", "passage_ref":
                          "lora.md:3", "status": "pending"},
                         {"id": 2, "question": "Bad one", "answer": "x", "passage_ref": "lora.md:9",
                          "status": "pending"}]
            self.accepted, self.rejected = [], []

        def list_candidates(self, name):
            return [r for r in self.rows if r["status"] == "pending"]

        def accept_candidate(self, cid, question=None, answer=None):
            self.accepted.append((cid, question, answer))
            next(r for r in self.rows if r["id"] == cid)["status"] = "accepted"

        def reject_candidate(self, cid):
            self.rejected.append(cid)
            next(r for r in self.rows if r["id"] == cid)["status"] = "rejected"

    fake = Fake()
    api = candidate_api(fake)
    dlg = ReviewDialog(api, "docs")
    qtbot.addWidget(dlg)
    assert dlg.table.rowCount() == 2 and dlg.question.toPlainText() == "What is LoRA?"
    dlg.answer.setPlainText("A low-rank adapter trained on top of frozen weights.")
    dlg.accept_current()
    assert fake.accepted == [(1, "What is LoRA?", "A low-rank adapter trained on top of frozen weights.")]
    assert dlg.table.rowCount() == 1 and dlg.question.toPlainText() == "Bad one"
    dlg.reject_current()
    assert fake.rejected == [2] and dlg.table.rowCount() == 0 and not dlg.accept_btn.isEnabled()
    assert api["list"].__self__ is fake  # the store's own functions come first
    # generation runs in a thread and the new candidates show up
    def generate(name, progress=None, cancel=None):
        fake.rows.append({"id": 3, "question": "Who trains it?", "answer": "You do.", "passage_ref": "a.md:1",
                          "status": "pending"})
        progress(1, 1)
        return [3]

    dlg.api["generate"] = generate
    dlg.generate()  # the fake finishes at once, maybe before a waitSignal could connect: wait for the outcome
    qtbot.waitUntil(lambda: dlg.job is None and dlg.table.rowCount() == 1, timeout=5000)
    assert dlg.question.toPlainText() == "Who trains it?" and dlg.job is None


LOG = """[12/03/2025 14:02] Ana: Oi! Como eu instalo o Python?
[12/03/2025 14:03] Aeon: Baixe em python.org.
Depois confira com python --version.
[12/03/2025 14:05] Ana: Valeu. Meu e-mail é ana.souza@example.com
[12/03/2025 14:06] Aeon: Anotado!

[13/03/2025 09:00] Aeon: Bom dia, resposta sem pergunta.

[14/03/2025 10:00] Ana: Qual a capital do Brasil?
[14/03/2025 10:01] Aeon: Brasília.
"""


def _importers_ready() -> bool:
    try:
        from aeon_studio.core.datasets.importers import import_files  # noqa: F401
    except ImportError:
        return False
    return True


def test_import_speaker_log_through_the_dialog(qtbot, ctx, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    from aeon_studio.app.datasets.tab import DatasetTab
    from aeon_studio.core.datasets import browse

    log_path = tmp_path / "whatsapp-ana.log"
    log_path.write_text(LOG, encoding="utf-8")
    tab = DatasetTab(ctx)
    qtbot.addWidget(tab)
    dlg = tab.open_import([log_path])
    assert dlg is not None and dlg.dataset_name() == "whatsapp-ana"
    # the format can be chosen by hand (here it must be: the first line starts like a JSON array)
    dlg.format.setCurrentIndex(dlg.format.findData("log"))
    assert dlg.preview.format == "log" and not dlg.speakers_box.isHidden() and dlg.columns_box.isHidden()
    assert dlg.speaker_map() == {"Ana": "user", "Aeon": "assistant"}
    refs = [dlg.records.topLevelItem(i).text(0) for i in range(dlg.records.topLevelItemCount())]
    problems = [dlg.records.topLevelItem(i).text(3) for i in range(dlg.records.topLevelItemCount())]
    assert refs[0] == "whatsapp-ana.log:1" and any(p.startswith("Rejected") for p in problems)
    assert "Baixe em python.org" in problems[0]
    dlg.pii.setChecked(True)
    assert dlg.pii_view.topLevelItemCount() >= 1
    assert "ana.souza@example.com" in dlg.pii_view.topLevelItem(0).toolTip(0)
    assert "ana.souza@example.com" not in dlg.pii_view.topLevelItem(0).toolTip(1)
    # swapping the roles re-previews: now every record is wrong
    dlg.set_speaker_role("Ana", "assistant")
    dlg.set_speaker_role("Aeon", "user")
    qtbot.waitUntil(lambda: all(dlg.records.topLevelItem(i).text(3).startswith("Rejected")
                                for i in range(dlg.records.topLevelItemCount())), timeout=2000)
    dlg.set_speaker_role("Ana", "user")
    dlg.set_speaker_role("Aeon", "assistant")
    qtbot.waitUntil(lambda: not dlg.records.topLevelItem(0).text(3).startswith("Rejected"), timeout=2000)
    with qtbot.waitSignal(dlg.finished_import, timeout=20000) as blocker:
        dlg.start_import()
    summary = blocker.args[0]
    assert summary is not None and summary.imported == 2 and summary.rejected == 1
    assert summary.pii_replacements >= 1
    assert dlg.pages.currentIndex() == 1 and "Imported 2 examples" in dlg.result_title.text()
    assert "whatsapp-ana.log:" in dlg.problems.toPlainText()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    assert dlg.rejects_btn.isEnabled() and dlg.open_rejects()
    assert opened == [str(summary.rejects_path)] and Path(opened[0]).exists()
    qtbot.waitUntil(lambda: tab.current == "whatsapp-ana", timeout=2000)
    assert tab.model.total == 2
    texts = " ".join(m["content"] for ex in browse.query_examples("whatsapp-ana", db=ctx.db) for m in ex.messages)
    assert "ana.souza@example.com" not in texts and "Depois confira" in texts
    dlg.close()


def test_drop_files_opens_the_import_dialog(qtbot, ctx, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    from aeon_studio.app.datasets.tab import DatasetTab

    csv_path = tmp_path / "faq.csv"
    csv_path.write_text("pergunta,resposta\nO que é LoRA?,Um adaptador de baixo posto.\n"
                        "Quanto custa?,Nada: roda no seu computador.\n", encoding="utf-8")
    tab = DatasetTab(ctx)
    qtbot.addWidget(tab)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(csv_path)), QUrl.fromLocalFile(str(tmp_path))])  # a folder is ignored
    enter = QDragEnterEvent(tab.rect().center(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    tab.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(tab.rect().center()), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    tab.dropEvent(drop)
    qtbot.waitUntil(lambda: tab.import_dialog is not None, timeout=2000)
    dlg = tab.import_dialog
    assert dlg.paths == [csv_path] and dlg.preview.format == "csv" and not dlg.columns_box.isHidden()
    assert dlg.user_column.findData("pergunta") > 0 and dlg.reply_column.findData("resposta") > 0
    assert dlg.records.topLevelItemCount() == 2
    dlg.user_column.setCurrentIndex(dlg.user_column.findData("resposta"))
    dlg.reply_column.setCurrentIndex(dlg.reply_column.findData("pergunta"))
    qtbot.waitUntil(lambda: dlg.records.topLevelItem(0).text(2).startswith("Um adaptador"), timeout=2000)
    # a drop of nothing usable is refused
    empty = QMimeData()
    empty.setText("just text")
    enter2 = QDragEnterEvent(tab.rect().center(), Qt.DropAction.CopyAction, empty, Qt.MouseButton.LeftButton,
                             Qt.KeyboardModifier.NoModifier)
    tab.dragEnterEvent(enter2)
    assert not enter2.isAccepted()
    dlg.close()


def test_render_dataset_writes_pngs(qtbot, ctx, tmp_path):
    from PySide6.QtGui import QImage

    from aeon_studio.app.demo.datasets import render_dataset

    out = render_dataset(ctx, tmp_path, demo=True)
    assert out == tmp_path / "dataset_tab.png" and out.stat().st_size > 20_000
    img = QImage(str(out))
    assert img.width() >= 1000 and img.height() >= 700
    assert (tmp_path / "dataset_import.png").stat().st_size > 20_000


def test_a_dataset_built_elsewhere_shows_without_restarting(qtbot, ctx):
    """The retrain, another tab or a worker thread builds a dataset while the tab is open: it used to keep saying
    "No dataset yet" (it read the database once, when it was built)."""
    import threading

    from aeon_studio.app.datasets.tab import DatasetTab
    from aeon_studio.core.datasets import DatasetStore

    tab = DatasetTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    assert "No dataset yet" in tab.empty.text()
    worker = threading.Thread(target=lambda: DatasetStore(ctx.db).build_identity("retrain-casual", "Aeon", "Ana"))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: tab.current == "retrain-casual", timeout=10_000)  # no Refresh pressed, no restart
    assert tab.stack.currentWidget() is tab.table
    assert tab.model.total >= 60 and tab.count_label.text().endswith("examples")


def test_a_change_elsewhere_keeps_the_dataset_and_the_selected_examples(qtbot, demo_tab):
    from PySide6.QtCore import QItemSelectionModel

    from aeon_studio.core.datasets import DatasetStore

    tab = demo_tab
    tab.show()
    sel = tab.table.selectionModel()
    for r in (1, 2):
        sel.select(tab.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)
    chosen, shown = tab.selected_ids(), tab.datasets.topLevelItemCount()
    with qtbot.waitSignal(tab.ctx.changes.changed, timeout=10_000):
        DatasetStore(tab.ctx.db).create("aaa-first-in-the-list")
    assert tab.datasets.topLevelItemCount() == shown + 1 and tab.current == "demo-support"
    assert tab.selected_ids() == chosen


def test_a_hidden_tab_refreshes_when_shown(qtbot, demo_tab):
    from aeon_studio.core.datasets import DatasetStore

    tab = demo_tab
    tab.show()
    tab.hide()  # another tab is in front
    shown = tab.datasets.topLevelItemCount()
    with qtbot.waitSignal(tab.ctx.changes.changed, timeout=10_000):
        DatasetStore(tab.ctx.db).create("made-meanwhile")
    assert tab.datasets.topLevelItemCount() == shown  # nothing read while nobody looks
    tab.show()
    qtbot.waitUntil(lambda: tab.datasets.topLevelItemCount() == shown + 1, timeout=5000)


def test_a_dataset_made_by_the_cli_shows_up(qtbot, ctx, aeon_home):
    import os
    import subprocess
    import sys

    from aeon_studio.app.datasets.tab import DatasetTab

    tab = DatasetTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    cli = Path(sys.executable).parent / "aeon-studio"
    subprocess.run([str(cli), "dataset", "identity", "--name", "from-cli", "--assistant-name", "Aeon",
                    "--creator", "Ana"], check=True, capture_output=True,
                   env={**os.environ, "AEON_STUDIO_HOME": str(aeon_home)})
    qtbot.waitUntil(lambda: tab.current == "from-cli", timeout=10_000)  # the poll timer looks every 2 s
    assert tab.model.total >= 60


def test_an_import_does_not_default_to_a_set_the_app_builds(qtbot, ctx, tmp_path):
    """Seen by a new user: with the retrain set selected, the import dialog offered it as the target, mixing a log
    into the Retrain data unless the user noticed and renamed it."""
    from aeon_studio.app.datasets.tab import DatasetTab
    from aeon_studio.core.datasets import DatasetStore

    log = tmp_path / "minha-conversa.txt"
    log.write_text("VOCÊ: Oi\nAEON: Olá! Como posso ajudar?\n", encoding="utf-8")
    store = DatasetStore(ctx.db)
    store.build_identity("eu", "Aeon", "Ana")
    store.create("faq")
    tab = DatasetTab(ctx)
    qtbot.addWidget(tab)
    tab.show_dataset("eu")
    dlg = tab.open_import([log])
    assert dlg.dataset.currentText() == "minha-conversa"
    dlg.close()
    tab.show_dataset("faq")  # an imported set: more of the same goes there
    dlg = tab.open_import([log])
    assert dlg.dataset.currentText() == "faq"
    dlg.close()
