"""The import dialog: {{placeholder}} fields fill the preview and the import; chat-export lines left out are shown
in grey and counted; an import that keeps nothing says so and creates no dataset."""

from __future__ import annotations

import json

import pytest

from tests.core.datasets.test_chat_noise import ANDROID_PT

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx():
    from aeon_studio.app.context import AppContext

    context = AppContext()
    yield context
    context.close()


def _dialog(qtbot, ctx, path):
    from aeon_studio.app.datasets.import_dialog import ImportDialog

    dlg = ImportDialog(ctx, [path])
    qtbot.addWidget(dlg)
    return dlg


def _rows(dlg):
    return [[dlg.records.topLevelItem(i).text(c) for c in range(4)] for i in range(dlg.records.topLevelItemCount())]


def test_placeholder_fields_fill_preview_and_import(qtbot, ctx, tmp_path):
    from aeon_studio.core.datasets import DatasetStore

    src = tmp_path / "identity.json"
    src.write_text(json.dumps([{"instruction": "Quem é você?", "output": "Sou {{name}}, criado por {{author}}."},
                               {"instruction": "Seu nome?", "output": "{{name}}."}], ensure_ascii=False),
                   encoding="utf-8")
    dlg = _dialog(qtbot, ctx, src)
    assert list(dlg.placeholder_fields) == ["name", "author"] and not dlg.placeholders_box.isHidden()
    assert "{{name}}, {{author}} have no value" in dlg.placeholder_note.text()
    dlg.set_placeholder("name", "Aeon")
    dlg.refresh_preview()
    assert _rows(dlg)[0][3] == "Sou Aeon, criado por {{author}}."
    assert "{{author}} has no value" in dlg.placeholder_note.text()
    dlg.set_placeholder("author", "Ana")
    dlg.refresh_preview()
    assert dlg.placeholder_note.isHidden() and _rows(dlg)[0][3] == "Sou Aeon, criado por Ana."
    with qtbot.waitSignal(dlg.finished_import, timeout=20000) as blocker:
        dlg.start_import()
    assert blocker.args[0].filled == 2 and "Filled {{name}}, {{author}} in 2 examples." in dlg.result_details.text()
    texts = json.dumps(DatasetStore(ctx.db).examples("identity"), ensure_ascii=False)
    assert "Sou Aeon, criado por Ana." in texts and "{{" not in texts


def test_chat_export_lines_left_out_are_grey_and_counted(qtbot, ctx, tmp_path):
    src = tmp_path / "whatsapp.txt"
    src.write_text(ANDROID_PT, encoding="utf-8")
    dlg = _dialog(qtbot, ctx, src)
    assert dlg.speaker_map() == {"Ana": "user", "Aeon": "assistant"}
    rows = _rows(dlg)
    assert rows[0][3] == "left out: system message"
    assert any(r[2] == "12/03/2025 14:01 - Ana: <Mídia oculta>" for r in rows)
    assert any(r[2] == "12/03/2025 14:03 - Ana: imagem anexada" for r in rows)  # no invisible mark shown
    assert "7 lines of the chat export" in dlg.status.text()
    with qtbot.waitSignal(dlg.finished_import, timeout=20000) as blocker:
        dlg.start_import()
    assert blocker.args[0].imported == 1
    assert "Left out of the chat export: 2 media placeholders" in dlg.result_details.text()


def test_an_import_that_keeps_nothing_creates_no_dataset(qtbot, ctx, tmp_path):
    from aeon_studio.core.datasets import DatasetStore

    src = tmp_path / "respostas.log"
    src.write_text("AEON: uma resposta sem pergunta\nVOCÊ: ok\n\nAEON: outra\nVOCÊ: tchau\n", encoding="utf-8")
    dlg = _dialog(qtbot, ctx, src)
    emitted = []
    dlg.imported.connect(emitted.append)
    with qtbot.waitSignal(dlg.finished_import, timeout=20000):
        dlg.start_import()
    assert dlg.result_title.text().startswith("Nothing was imported: every record was rejected")
    assert "respostas.log:1" in dlg.problems.toPlainText()
    assert not DatasetStore(ctx.db).exists("respostas") and not emitted
