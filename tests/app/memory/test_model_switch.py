"""Memory tab → "Change model…": the dialog lists the shipped model and the cached ones, takes a folder, and the
switch embeds every memory again in the background with progress; Cancel changes nothing."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from aeon_studio.app.context import AppContext
from aeon_studio.app.memory import model_switch as switch_module
from aeon_studio.app.memory import tab as memory_tab_module
from aeon_studio.app.memory.model_dialog import EmbeddingModelDialog
from aeon_studio.app.memory.tab import MemoryTab
from aeon_studio.core.memory.embedding_models import SHIPPED, resolve_model
from aeon_studio.core.settings import get_settings
from tests.core.memory.tiny_embedder import cache_model, make_tiny_model

pytestmark = [pytest.mark.gui]

FACTS = ["Meu cachorro se chama Bolinha", "Eu moro em Recife", "My dog is the name"]
WAIT = 120_000


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return {"a": make_tiny_model(root / "tiny-a", hidden=32), "b": make_tiny_model(root / "tiny-b", hidden=48)}


@pytest.fixture()
def errors(monkeypatch):
    seen: list = []
    monkeypatch.setattr(memory_tab_module, "show_error", lambda parent, title, err: seen.append((title, err)))
    monkeypatch.setattr(switch_module, "show_error", lambda parent, title, err: seen.append((title, err)))
    return seen


@pytest.fixture()
def tab(qtbot, tiny, errors):
    get_settings().save(embedding_model=str(tiny["a"]))
    ctx = AppContext()
    store = memory_tab_module.memory_store(ctx)
    for text in FACTS:
        store.add(text)
    widget = MemoryTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    widget.reload()
    yield widget
    widget.shutdown()


def test_dialog_lists_cached_models_and_takes_a_folder(qtbot, tiny, tmp_path, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    cache_model(tmp_path / "cache", "intfloat/multilingual-e5-small", tiny["a"])
    from aeon_studio.core.memory.embedding_models import cached_models

    models = [resolve_model(None)] + cached_models()
    dialog = EmbeddingModelDialog(models, SHIPPED, 3)
    qtbot.addWidget(dialog)
    rows = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert "in use" in rows[0] and "shipped" in rows[0]
    assert rows[1].startswith("intfloat/multilingual-e5-small")
    ok = dialog.buttons.buttons()[0]
    assert dialog.spec() == SHIPPED and not dialog._ok().isEnabled()  # the model in use: nothing to switch to
    dialog.list.setCurrentRow(1)
    assert dialog._ok().isEnabled() and dialog.spec() == "intfloat/multilingual-e5-small"
    assert "3 memories will be embedded again" in dialog.note.text() and "query:" in dialog.note.text()
    assert not dialog.add_folder(tmp_path)  # no config.json: says why, selects nothing new
    assert "no config.json" in dialog.note.text() and dialog.spec() == "intfloat/multilingual-e5-small"
    assert dialog.add_folder(tiny["b"]) and dialog.spec() == str(tiny["b"].resolve())
    assert ok is not None


def test_switch_embeds_again_in_the_background(qtbot, tab, tiny, errors, monkeypatch):
    assert "Change model" in tab.model_button.text() and "model tiny-a" in tab.status_label.text()

    def choose_b(dialog):
        dialog.add_folder(tiny["b"])
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(EmbeddingModelDialog, "exec", choose_b)
    job = tab.change_model()
    assert job is not None and not tab.model_button.isEnabled() and tab.cancel_button.isVisible()
    qtbot.waitUntil(lambda: tab.job is None, timeout=WAIT)
    assert not errors
    assert tab.last_switch.items == 3 and not tab.last_switch.cancelled
    assert "Memory now uses" in tab.message_label.text() and "3 memories embedded again" in tab.message_label.text()
    new = str(tiny["b"].resolve())
    assert "model tiny-b" in tab.status_label.text() and tab.store.embedder.name == new
    assert "Memory now uses tiny-b" in tab.message_label.text()
    assert tab.ctx.settings.embedding_model == new and tab.model_button.isEnabled()
    assert tab.store.search("meu cachorro", k=1, threshold=-1)


def test_cancel_keeps_the_model(qtbot, tab, tiny, errors):
    store = tab.store
    job = tab.switch_model(str(tiny["b"]))
    tab.cancel_job()  # before the first batch: nothing is stored
    qtbot.waitUntil(lambda: tab.job is None, timeout=WAIT)
    assert job is not None and not errors
    assert tab.last_switch.cancelled
    assert "Model change cancelled; memory still uses tiny-a." in tab.message_label.text()
    assert tab.store is store and store.embedder.name == str(tiny["a"].resolve())
    assert get_settings().embedding_model == str(tiny["a"])


def test_a_missing_model_is_an_error_that_changes_nothing(qtbot, tab, tiny, tmp_path, errors):
    tab.switch_model(str(tmp_path / "gone"))
    qtbot.waitUntil(lambda: tab.job is None, timeout=WAIT)
    assert errors and errors[0][0] == "Could not switch the embedding model"
    assert get_settings().embedding_model == str(tiny["a"])


def test_demo_renderer_draws_the_dialog(qtbot, tmp_path):
    from aeon_studio.app.demo import RENDERERS
    from aeon_studio.app.demo.memory import render_embedding_model_dialog

    assert ("memory", "render_embedding_model_dialog") in RENDERERS
    out = render_embedding_model_dialog(AppContext(), tmp_path)
    assert out.name == "memory_model_dialog.png" and out.stat().st_size > 5_000
