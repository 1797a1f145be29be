""""Change model…" in the Memory tab: pick the embedding model memory uses (the shipped one, a model in the
Hugging Face cache, or a folder). The tab then embeds every memory again in the background (see
:mod:`aeon_studio.core.memory.reembed`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import _, ngettext
from aeon_studio.core.memory.embedding_models import SHIPPED, EmbeddingModel, display_name
from aeon_studio.core.memory.glossary import find_dictionaries

#: Names of multilingual models worth suggesting when the cache has none (downloaded by the user, never by us).
SUGGESTED = ("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2", "intfloat/multilingual-e5-small")


def model_label(model: EmbeddingModel) -> str:
    """A list row: the name, what it is, its vector size."""
    size = ngettext("{n} dimension", "{n} dimensions", model.dim).format(n=model.dim)
    if model.shipped and find_dictionaries() is not None:  # its vectors carry English glosses (core/memory/glossary)
        return _("{name} — shipped with the app, + Portuguese-English dictionary ({size})").format(
            name=model.name, size=size)
    if model.shipped:
        return _("{name} — shipped with the app, best in English ({size})").format(name=model.name, size=size)
    return _("{name} ({size})").format(name=display_name(model.name), size=size)


class EmbeddingModelDialog(QDialog):
    """Lists the models memory can use; :meth:`spec` is the chosen one's setting value after ``exec()``.

    Args:
        models: The shipped model first, then the cached ones (see ``cached_models``).
        current: The name of the model memory uses now.
        items: How many memories would be embedded again.
    """

    def __init__(self, models: list[EmbeddingModel], current: str, items: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Memory's embedding model"))
        self.setMinimumWidth(640)
        self._folder: EmbeddingModel | None = None
        lay = QVBoxLayout(self)
        intro = QLabel(_("The embedding model turns each memory into numbers so the chat can find it by meaning. "
                         "A multilingual model finds Portuguese memories from English questions and the other way "
                         "round."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.list = QListWidget(self)
        for model in models:
            self._add(model, current)
        self.list.itemSelectionChanged.connect(self._update)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept() if self._ok().isEnabled() else None)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        hint = QLabel(self)
        hint.setWordWrap(True)
        hint.setProperty("tone", "muted")
        hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint.setText(_("Only models already on this computer are listed; the app never downloads one. To add one, "
                       "download it once (for example: hf download {repo}) or choose its folder.").format(
            repo=SUGGESTED[1]))
        row.addWidget(hint, 1)
        self.folder_button = QPushButton(_("Choose folder…"), self)
        self.folder_button.clicked.connect(self.choose_folder)
        row.addWidget(self.folder_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(row)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self._ok().setText(_("Switch and embed again"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self._current = current
        self._items = items
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole).name == current:
                self.list.setCurrentRow(i)
        self._update()

    def _ok(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _add(self, model: EmbeddingModel, current: str) -> QListWidgetItem:
        text = model_label(model)
        if model.name == current:
            text = _("{model} · in use").format(model=text)
        item = QListWidgetItem(text, self.list)
        item.setData(Qt.ItemDataRole.UserRole, model)
        item.setToolTip(str(model.path))
        return item

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose a sentence-transformers model folder"),
                                                  str(Path.home()))
        if folder:
            self.add_folder(Path(folder))

    def add_folder(self, folder: Path) -> bool:
        """Add the model in ``folder`` to the list and select it; False (with the reason shown) if it is none."""
        from aeon_studio.core.memory.embedding_models import describe_folder
        from aeon_studio.core.memory.errors import MemoryError

        try:
            model = describe_folder(folder)
        except MemoryError as exc:
            self.note.setText(exc.message + (f"\n{exc.hint}" if getattr(exc, "hint", None) else ""))
            return False
        self.list.setCurrentItem(self._add(model, self._current))
        return True

    def selected(self) -> EmbeddingModel | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def spec(self) -> str:
        """The setting value for the chosen model (its name: ``all-MiniLM-L6-v2``, a repo id or a folder)."""
        model = self.selected()
        return model.name if model is not None else SHIPPED

    def _update(self) -> None:
        model = self.selected()
        same = model is None or model.name == self._current
        self._ok().setEnabled(not same)
        if model is None or same:
            self.note.setText(_("This is the model memory uses now."))
            return
        prefix = _(" It is given the prefixes “{query}” and “{passage}” its authors ask for.").format(
            query=model.query_prefix.strip(), passage=model.passage_prefix.strip()) \
            if model.query_prefix or model.passage_prefix else ""
        self.note.setText(ngettext(
            "{n} memory will be embedded again in the background; the chat keeps using the current model until "
            "the new one is ready, and Cancel changes nothing.",
            "{n} memories will be embedded again in the background; the chat keeps using the current model until "
            "the new one is ready, and Cancel changes nothing.", self._items).format(n=self._items) + prefix)
