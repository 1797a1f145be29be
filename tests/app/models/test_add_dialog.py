"""The "Add model…" dialog: recommended list, Hub listing and download (progress, cancel, resume), Ollama, file."""

from __future__ import annotations

import pytest

from aeon_studio.core.models import ModelRegistry
from tests.core.models.conftest import REPO, fake_hub, gguf_bytes  # noqa: F401 - fixtures
from tests.core.models.fake_hub import tiny_gguf
from tests.core.ollama.test_library import add_model

pytestmark = pytest.mark.gui


@pytest.fixture()
def dialog(qtbot, tmp_path, monkeypatch):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.models.add_dialog import AddModelDialog

    models = tmp_path / "ollama"
    add_model(models, "qwen2.5:0.5b", tiny_gguf(tmp_path / "o.gguf").read_bytes())
    add_model(models, "weird:latest", b"not a gguf file" * 10)
    monkeypatch.setenv("OLLAMA_MODELS", str(models))
    ctx = AppContext()
    widget = AddModelDialog(ctx)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    ctx.close()


def _wait(qtbot, dialog, job):
    assert job is not None
    qtbot.waitUntil(lambda: dialog.job is None, timeout=60_000)  # the job deletes itself when done
    qtbot.wait(50)


def _local(dialog):
    return [m for m in ModelRegistry(dialog.ctx.db).list() if not m.builtin]


def test_recommended_list_then_list_and_download_from_the_hub(qtbot, dialog, fake_hub, gguf_bytes):
    assert dialog.rec_model.rowCount() == 4
    assert dialog.rec_model.data(dialog.rec_model.index(0, 0)) == "Qwen2.5 0.5B Instruct"
    assert dialog.rec_model.data(dialog.rec_model.index(1, 2)).endswith("GB")  # memory needed
    dialog.rec_view.selectRow(0)
    assert dialog.repo_edit.text() == "Qwen/Qwen2.5-0.5B-Instruct-GGUF" and "qwen2.5-0.5b" in dialog.status.text()
    assert dialog.download_button.isEnabled()
    dialog.repo_edit.setText(REPO)
    dialog._repo_typed(REPO)
    _wait(qtbot, dialog, dialog.list_files())
    files = [dialog.files_model.data(dialog.files_model.index(i, 0)) for i in range(dialog.files_model.rowCount())]
    assert files[-1] == "mmproj-tiny-f16.gguf" and "tiny-chat-Q4_K_M.gguf" in files
    assert dialog._selected(dialog.files_view, dialog.files_model).quant == "Q4_K_M"  # preselected
    added = []
    dialog.added.connect(added.append)
    _wait(qtbot, dialog, dialog.download())
    assert added and added[0].source == "hub" and dialog.progress.value() == 100
    assert "Added" in dialog.status.text() and [m.source for m in _local(dialog)] == ["hub"]


def test_download_cancel_keeps_the_bytes_and_resumes(qtbot, dialog, fake_hub, gguf_bytes, monkeypatch):
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "DOWNLOAD_CHUNK_SIZE", 4096)
    fake_hub.slow = 0.02
    dialog.repo_edit.setText(REPO)
    _wait(qtbot, dialog, dialog.download())  # no file picked yet: the files are listed first, Q4_K_M selected
    assert dialog.files_model.rowCount() == 3 and _local(dialog) == []
    job = dialog.download()
    assert dialog.cancel_button.isEnabled() and not dialog.download_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 10, timeout=30_000)
    assert "Downloading" in dialog.status.text()
    dialog.cancel()
    _wait(qtbot, dialog, job)
    assert "continues where it stopped" in dialog.status.text() and _local(dialog) == []
    fake_hub.slow = 0.0
    sent = fake_hub.bytes_sent
    _wait(qtbot, dialog, dialog.download())
    assert [m.source for m in _local(dialog)] == ["hub"]
    assert fake_hub.bytes_sent - sent < len(gguf_bytes)  # only the rest came


def test_ollama_page_adds_gguf_models_only(qtbot, dialog):
    names = [m.name for m in dialog.ollama_model.rows]
    assert names == ["qwen2.5:0.5b", "weird:latest"]
    assert "nothing is copied" in dialog.ollama_intro.text()
    dialog.ollama_view.selectRow(1)
    assert not dialog.ollama_button.isEnabled()  # not GGUF
    dialog.ollama_view.selectRow(0)
    assert dialog.ollama_button.isEnabled()
    _wait(qtbot, dialog, dialog.add_ollama())
    assert [(m.source, m.name) for m in _local(dialog)] == [("ollama", "qwen2.5:0.5b")]
    assert dialog.ollama_model.data(dialog.ollama_model.index(0, 3)) == "added"


def test_file_page_adds_a_gguf_and_refuses_other_files(qtbot, dialog, tmp_path, monkeypatch):
    from aeon_studio.app.models import add_dialog

    shown = []
    monkeypatch.setattr(add_dialog, "show_error", lambda parent, title, err: shown.append(str(err)))
    bad = tmp_path / "notes.gguf"
    bad.write_text("not a model")
    dialog.path_edit.setText(str(bad))
    _wait(qtbot, dialog, dialog.add_file())
    assert shown and "not a GGUF" in shown[0] and _local(dialog) == []
    dialog.path_edit.setText(str(tiny_gguf(tmp_path / "mine.gguf", name="Mine")))
    dialog.name_edit.setText("My model")
    _wait(qtbot, dialog, dialog.add_file())
    assert [(m.source, m.name) for m in _local(dialog)] == [("file", "My model")]


def test_models_tab_opens_the_dialog_and_shows_sources(qtbot):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.models.tab import ModelsTab

    ctx = AppContext()
    tab = ModelsTab(ctx)
    qtbot.addWidget(tab)
    assert tab.base_model.data(tab.base_model.index(0, 2)) == "built-in"
    assert tab.base_model.data(tab.base_model.index(0, 6)) == "yes"  # trainable
    dialog = tab.open_add_model()
    assert dialog.isVisible() and dialog.windowTitle() == "Add a model"
    dialog.close()
    ctx.close()
