"""Preference pairs, bad (undesirable) examples and tool calls in the desktop app: the Dataset tab's Show filter,
the pairs side by side, the detail pane, every export format with its explanation, and the import dialog's
preview and result counts."""

from __future__ import annotations

import json

import pytest

from tests.app.datasets.shapes import write_shapes

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx():
    from aeon_studio.app.context import AppContext

    context = AppContext()
    yield context
    context.close()


@pytest.fixture
def files(tmp_path):
    return write_shapes(tmp_path / "shapes")


@pytest.fixture
def tab(qtbot, ctx, files):
    from aeon_studio.app.datasets.tab import DatasetTab
    from aeon_studio.core.datasets.importers import import_files

    for key in ("pairs", "kto", "tools"):
        res = import_files("kinds", [files[key]])
        assert not res.rejected, res.problems
    t = DatasetTab(ctx)
    qtbot.addWidget(t)
    t.resize(1180, 760)
    t.reload_datasets(select="kinds")
    return t


def _cells(model, cols):
    return [[model.data(model.index(r, c)) for c in cols] for r in range(model.rowCount())]


def test_bad_examples_view_shows_only_them_marked_in_red(tab):
    from PySide6.QtCore import Qt

    assert tab.model.total == 4  # 3 KTO rows + 1 tool conversation (pairs live apart)
    tab.set_view("bad")
    assert tab.model.total == 2
    rows = _cells(tab.model, (0, 1))
    assert {r[0] for r in rows} == {"Posso apagar /var/lib/postgresql para liberar espaço?",
                                    "Is it safe to store passwords in plain text?"}
    assert all(r[1].startswith("✗ bad example: ") for r in rows)
    colour = tab.model.data(tab.model.index(0, 1), Qt.ItemDataRole.ForegroundRole)
    assert colour is not None and colour.name() == "#c5221f"
    assert "never trained on" in tab.model.data(tab.model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert "2 bad examples" in tab.count_label.text()
    assert tab.stats.bad.text() == "2" and tab.stats.bad.property("tone") == "error"
    # a good example is never red or marked
    tab.set_view("all")
    for r in range(tab.model.rowCount()):
        if tab.model.data(tab.model.index(r, 0)).startswith("Como faço backup"):
            assert tab.model.data(tab.model.index(r, 1), Qt.ItemDataRole.ForegroundRole) is None
            assert not tab.model.data(tab.model.index(r, 1)).startswith("✗")


def test_bad_example_detail_has_a_banner(qtbot, tab):
    tab.set_view("bad")
    tab.table.selectRow(0)
    assert not tab.detail.isHidden()
    text = tab.detail.toPlainText()
    assert "Bad example (labelled undesirable)" in text and "never trained on as a good answer" in text


def test_pairs_side_by_side(tab):
    tab.set_view("pairs")
    assert tab.stack.currentWidget() is tab.pairs_table
    from PySide6.QtCore import Qt

    headers = [tab.pairs_model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == ["Question", "✓ Chosen reply", "✗ Rejected reply"]
    rows = _cells(tab.pairs_model, (0, 1, 2))
    assert ["Qual é a capital da Austrália?", "A capital da Austrália é Camberra.", "Sydney, claro."] in rows
    assert "2 preference pairs" in tab.count_label.text()
    assert not tab.source_filter.isEnabled() and not tab.edit_btn.isEnabled()
    tab.pairs_table.selectRow(0)
    text = tab.detail.toPlainText()
    assert "Chosen reply (preferred)" in text and "Rejected reply (the worse one)" in text
    # the search narrows the pairs too
    tab.search.setText("git")
    tab.apply_filters()
    assert tab.pairs_model.rowCount() == 1


def test_tool_calls_are_readable(tab):
    tab.search.setText("Lisboa")
    tab.apply_filters()
    assert tab.model.total == 1
    reply = tab.model.data(tab.model.index(0, 1))
    assert reply == '[calls get_weather(city="Lisboa")] → Em Lisboa faz 22 °C, céu limpo.'
    tab.table.selectRow(0)
    text = tab.detail.toPlainText()
    assert "Tools it may call:" in text and "Result of get_weather" in text and '{"temp_c": 22' in text
    assert '→ calls get_weather(city="Lisboa")' in text


def test_export_offers_every_cli_format_with_an_explanation(qtbot, tab, tmp_path):
    from aeon_studio.core.datasets.exporters import EXPORT_FORMATS

    keys = [tab.export_format.itemData(i) for i in range(tab.export_format.count())]
    assert keys == list(EXPORT_FORMATS)
    seen = set()
    for i in range(len(keys)):
        tab.export_format.setCurrentIndex(i)
        assert tab.export_help.text() and tab.export_help.text() not in seen
        seen.add(tab.export_help.text())
    tab.export_format.setCurrentIndex(keys.index("kto"))
    assert "bad examples undesirable" in tab.export_help.text()
    out = tmp_path / "kto.jsonl"
    assert tab.export_to(out) is not None
    qtbot.waitUntil(lambda: tab.job is None, timeout=10000)
    assert "Wrote 4 rows" in tab.export_status.text()
    labels = [json.loads(line)["label"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(labels) == [False, False, True, True]


@pytest.mark.parametrize("key", ["pairs", "kto", "tools"])
def test_import_preview_and_result_count_the_kinds(qtbot, ctx, files, key):
    from aeon_studio.app.datasets.import_dialog import ImportDialog
    from aeon_studio.app.datasets.import_results import REJECTED_COL

    dlg = ImportDialog(ctx, [files[key]])
    qtbot.addWidget(dlg)
    status = dlg.status.text()
    want = {"pairs": "2 preference pairs (chosen and rejected reply)",
            "kto": "2 bad examples (labelled undesirable, never trained on as good answers)",
            "tools": "1 conversation with tool calls"}[key]
    assert want in status, status
    first = dlg.records.topLevelItem(0)
    if key == "pairs":
        assert not dlg.records.isColumnHidden(REJECTED_COL)
        assert dlg.records.headerItem().text(3) == "Chosen reply or problem"
        assert (first.text(3), first.text(REJECTED_COL)) == ("A capital da Austrália é Camberra.", "Sydney, claro.")
    else:
        assert dlg.records.isColumnHidden(REJECTED_COL)
    if key == "kto":
        assert dlg.records.topLevelItem(1).text(3) == "✗ bad example: Pode sim, são só arquivos temporários."
    if key == "tools":
        assert first.text(3).startswith('[calls get_weather(city="Lisboa")] → ')
    with qtbot.waitSignal(dlg.finished_import, timeout=20000) as blocker:
        dlg.start_import()
    summary = blocker.args[0]
    assert (summary.pairs, summary.undesirable, summary.tools) == {"pairs": (2, 0, 0), "kto": (0, 2, 0),
                                                                   "tools": (0, 0, 1)}[key]
    assert want in dlg.result_details.text()


def test_editing_a_tool_conversation_keeps_its_calls(qtbot, tab):
    from aeon_studio.core.datasets import browse

    tab.search.setText("Lisboa")
    tab.apply_filters()
    editor = tab.edit_example(0)
    roles = [r.role for r in editor.rows]
    assert [r.currentData() for r in roles] == ["user", "assistant", "tool", "assistant"]
    assert not roles[1].isEnabled() and not roles[2].isEnabled() and roles[3].isEnabled()
    editor.rows[3].text.setPlainText("Lisboa: 22 °C e céu limpo.")
    editor.accept()
    ex = browse.get_example(tab.model.example_id(0), db=tab.ctx.db)
    assert ex.messages[1]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert ex.messages[2]["tool_call_id"] == "call_1" and ex.messages[3]["content"] == "Lisboa: 22 °C e céu limpo."
    assert ex.tools and ex.tools[0]["function"]["name"] == "get_weather"


def test_demo_renders_bad_examples_pairs_and_tools(qtbot, ctx, tmp_path):
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.demo.dataset_kinds import render_dataset_kinds
    from PySide6.QtGui import QImage

    assert ("dataset_kinds", "render_dataset_kinds") in RENDERERS
    first = render_dataset_kinds(ctx, tmp_path)
    assert first == tmp_path / "dataset_bad.png"
    for name in ("dataset_bad.png", "dataset_pairs.png", "dataset_tools.png"):
        image = QImage(str(tmp_path / name))
        assert image.width() == 1180 and image.height() == 760


def test_pairs_table_reads_pages_and_searches_in_sql(qtbot, ctx):
    from aeon_studio.app.datasets.views import PairsModel
    from aeon_studio.core.datasets import DatasetStore, browse
    from aeon_studio.core.datasets.records import pair_hash

    store = DatasetStore(ctx.db)
    ds = store.create("many")
    rows = []
    for i in range(1500):
        prompt = [{"role": "system", "content": "Seja breve."}, {"role": "user", "content": f"pergunta {i}"}]
        rows.append({"prompt": prompt, "chosen": f"boa {i}", "rejected": "ruim 100%" if i == 7 else f"ruim {i}",
                     "source_ref": f"t:{i}", "content_hash": pair_hash(prompt, f"boa {i}", f"ruim {i}")})
    with store.bulk_import(ds.id) as bulk:
        bulk.add_pairs(rows)
    model = PairsModel(ctx.db, page_size=200, fetch_step=500)
    model.set_dataset("many")
    assert model.total == 1500 and model.rowCount() == 500 and model.queries == 0
    assert model.data(model.index(0, 0)) == "pergunta 0" and model.queries == 1
    # the search looks in the prompt's turns, the chosen and the rejected reply; % and _ are literal
    assert browse.count_pairs("many", search="pergunta 149", db=ctx.db) == 11  # 149 and 1490…1499
    assert browse.count_pairs("many", search="ruim 100%", db=ctx.db) == 1
    assert browse.count_pairs("many", search="boa 1499", db=ctx.db) == 1
    assert browse.count_pairs("many", search="Seja breve", db=ctx.db) == 1500
    assert [p.chosen for p in browse.query_pairs("many", search="ruim 100%", db=ctx.db)] == ["boa 7"]
