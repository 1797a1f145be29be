"""Persona tab: list (built-ins marked), editor form, Save / Add custom / Remove / Reset.

Validation errors are shown inline under the form and nothing is saved.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (QCheckBox, QCompleter, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListView, QMessageBox, QPlainTextEdit, QPushButton, QSpinBox, QSplitter, QVBoxLayout,
                               QWidget)

from aeon_studio.core.errors import AeonError
from aeon_studio.core.i18n import _
from aeon_studio.core.personas import parse_dataset_names
from aeon_studio.app.context import AppContext
from aeon_studio.app.personas.backend import BackendBox
from aeon_studio.app.personas.routing import RoutingBox
from aeon_studio.app.shared.live import LiveView
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.shared.table_model import Column, ListModel


def _persona_label(p) -> str:
    # Whole labels, not a shared "built-in" tag: in Portuguese it agrees with persona (feminine).
    label = (_("{name}  (built-in, edited)") if p.customized else _("{name}  (built-in)") if p.builtin
             else _("{name}  (custom)"))
    return label.format(name=p.name)


class PersonaModel(ListModel):
    """The persona list: names marked built-in/edited/custom, the key as ``UserRole``."""

    columns = (Column("", _persona_label),)
    row_roles = {Qt.ItemDataRole.UserRole: lambda p: p.key}


class DatasetNameCompleter(QCompleter):
    """Completes the name after the last comma of a comma-separated list of dataset names."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setModel(QStringListModel([], self))
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def reload(self, db) -> None:
        from aeon_studio.core.datasets import DatasetStore

        try:
            names = [d["name"] for d in DatasetStore(db).list()]
        except AeonError:
            names = []
        self.model().setStringList(names)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index) -> str:  # noqa: N802
        head = self.widget().text().rsplit(",", 1)
        name = str(index.data())
        return f"{head[0]}, {name}" if len(head) == 2 else name


class PersonaTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current_key: str | None = None
        self._adding = False
        outer = QHBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        outer.addWidget(split)
        left = QWidget(split)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.model = PersonaModel(self)
        self.list_view = QListView(left)
        self.list_view.setModel(self.model)
        self.list_view.setSpacing(3)
        self.list_view.clicked.connect(lambda idx: self.select(idx.data(Qt.ItemDataRole.UserRole)))
        ll.addWidget(self.list_view, 1)
        self.add_button = QPushButton(_("Add custom"), left)
        self.add_button.clicked.connect(self.start_add)
        ll.addWidget(self.add_button)

        right = QWidget(split)
        rl = QVBoxLayout(right)
        form = QFormLayout()
        self.key_edit = QLineEdit(right)
        self.key_edit.setPlaceholderText(_("e.g. suporte"))
        self.name_edit = QLineEdit(right)
        self.description_edit = QLineEdit(right)
        self.prompt_edit = QPlainTextEdit(right)
        self.prompt_edit.setMinimumHeight(140)
        self.prompt_edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.temperature = QDoubleSpinBox(right)
        self.temperature.setRange(0.0, 2.0)
        self.temperature.setSingleStep(0.05)
        self.top_p = QDoubleSpinBox(right)
        self.top_p.setRange(0.01, 1.0)
        self.top_p.setSingleStep(0.05)
        self.max_tokens = QSpinBox(right)
        self.max_tokens.setRange(1, 32768)
        self.memory = QCheckBox(_("Use long-term memory"), right)
        self.datasets_edit = QLineEdit(right)
        self.datasets_edit.setPlaceholderText(_("dataset names, comma-separated (optional)"))
        self.datasets_edit.setToolTip(_(
            "Datasets added to this persona's Retrain, besides your well-rated chats and the identity set."))
        self.datasets_completer = DatasetNameCompleter(self.datasets_edit)
        self.datasets_edit.setCompleter(self.datasets_completer)
        form.addRow(_("Key:"), self.key_edit)
        form.addRow(_("Name:"), self.name_edit)
        form.addRow(_("Description:"), self.description_edit)
        form.addRow(_("System prompt:"), self.prompt_edit)
        form.addRow(_("Temperature:"), self.temperature)
        form.addRow(_("Top p:"), self.top_p)
        form.addRow(_("Max tokens:"), self.max_tokens)
        form.addRow(_("Training datasets:"), self.datasets_edit)
        form.addRow("", self.memory)
        rl.addLayout(form)
        self.backend_box = BackendBox(right)
        rl.addWidget(self.backend_box)
        self.routing_box = RoutingBox(right)
        rl.addWidget(self.routing_box)
        self.error_label = QLabel(right)
        self.error_label.setWordWrap(True)
        self.error_label.setProperty("tone", "error")
        self.error_label.hide()
        rl.addWidget(self.error_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.reset_button = QPushButton(_("Reset"), right)
        self.remove_button = QPushButton(_("Remove"), right)
        self.save_button = QPushButton(_("Save"), right)
        self.save_button.setDefault(True)
        self.reset_button.clicked.connect(self.reset)
        self.remove_button.clicked.connect(lambda: self.remove())
        self.save_button.clicked.connect(self.save)
        for b in (self.reset_button, self.remove_button, self.save_button):
            row.addWidget(b)
        rl.addLayout(row)
        rl.addStretch(1)
        split.setSizes([260, 800])
        split.setStretchFactor(1, 1)
        self.refresh()
        self.live = LiveView(self, ctx.changes, {"personas", "datasets"}, self._data_changed)

    def tab_title(self) -> str:
        return _("Personas")

    def showEvent(self, event) -> None:  # noqa: N802 - datasets may have been made in another tab meanwhile
        self.datasets_completer.reload(self.ctx.db)
        super().showEvent(event)

    @property
    def store(self):
        return self.ctx.chat.personas

    def _data_changed(self, _topics: frozenset[str]) -> None:
        """A persona written elsewhere (the chat's Back button, the Models tab, the CLI): the list follows; the form
        is left alone unless its persona is gone, so nothing the user is typing is lost."""
        self.datasets_completer.reload(self.ctx.db)
        rows = self.store.list()
        if [(r.key, r.name) for r in rows] == [(r.key, r.name) for r in self.model.rows]:
            return
        self.model.set_rows(rows)
        keys = [r.key for r in rows]
        if self.current_key in keys:
            self.list_view.setCurrentIndex(self.model.index(keys.index(self.current_key), 0))
        elif rows and not self._adding:
            self.select(rows[0].key)

    def refresh(self, select: str | None = None) -> None:
        self.datasets_completer.reload(self.ctx.db)
        rows = self.store.list()
        self.model.set_rows(rows)
        key = select or self.current_key or (rows[0].key if rows else None)
        if key:
            self.select(key)

    def select(self, key: str) -> None:
        p = self.store.get(key)
        self.current_key, self._adding = key, False
        for r, row in enumerate(self.model.rows):
            if row.key == key:
                self.list_view.setCurrentIndex(self.model.index(r))
        self.key_edit.setText(p.key)
        self.key_edit.setReadOnly(True)
        self.name_edit.setText(p.name)
        self.description_edit.setText(p.description)
        self.prompt_edit.setPlainText(p.system_prompt)
        self.temperature.setValue(p.temperature)
        self.top_p.setValue(p.top_p)
        self.max_tokens.setValue(p.max_tokens)
        self.memory.setChecked(p.memory_enabled)
        self.datasets_edit.setText(", ".join(p.datasets))
        self.backend_box.set_persona(p)
        self.routing_box.set_persona(p, self.ctx.db)
        self.reset_button.setEnabled(p.builtin and p.customized)
        self.remove_button.setEnabled(not p.builtin)
        self.error_label.hide()

    def start_add(self) -> None:
        self._adding, self.current_key = True, None
        self.list_view.clearSelection()
        self.key_edit.setReadOnly(False)
        for w in (self.key_edit, self.name_edit, self.description_edit):
            w.clear()
        self.prompt_edit.clear()
        self.temperature.setValue(0.7)
        self.top_p.setValue(0.95)
        self.max_tokens.setValue(512)
        self.memory.setChecked(True)
        self.datasets_edit.clear()
        self.backend_box.set_persona(None)
        self.routing_box.set_persona(None, self.ctx.db)
        self.reset_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        self.error_label.hide()
        self.key_edit.setFocus()

    def _fields(self) -> dict:
        return dict(key=self.key_edit.text().strip(), name=self.name_edit.text(),
                    description=self.description_edit.text().strip(), system_prompt=self.prompt_edit.toPlainText(),
                    temperature=self.temperature.value(), top_p=self.top_p.value(),
                    max_tokens=self.max_tokens.value(), memory_enabled=self.memory.isChecked(),
                    datasets=parse_dataset_names(self.datasets_edit.text()), backends=self.backend_box.backends(),
                    memory_local_only=self.backend_box.memory_local.isChecked(),
                    route_by_domain=self.routing_box.route_by_domain(),
                    domain_adapters=self.routing_box.domain_adapters())

    def save(self) -> bool:
        from aeon_studio.core.personas import make_persona

        fields = self._fields()
        try:
            if self._adding:
                p = self.store.add(make_persona(**fields))
            else:
                fields.pop("key")
                p = self.store.update(self.current_key, **fields)
        except AeonError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return False
        if not self._store_keys():
            return False
        self.refresh(select=p.key)
        return True

    def _store_keys(self) -> bool:
        """API keys typed in the backend box go to the system keyring (after the persona saved: its URLs are valid)."""
        from aeon_studio.core.chat.backends.keys import set_api_key

        for url, key in self.backend_box.typed_keys():
            try:
                set_api_key(url, key)
            except AeonError as exc:
                self.error_label.setText(_("The persona was saved, but not its API key: {error}").format(error=exc))
                self.error_label.show()
                return False
        return True

    def remove(self, confirm: bool = True) -> None:
        if not self.current_key:
            return
        if confirm and QMessageBox.question(self, _("Remove persona"), _(
                "Remove the persona '{key}'? This cannot be undone.").format(key=self.current_key)
        ) != QMessageBox.StandardButton.Yes:
            return
        try:
            self.store.remove(self.current_key)
        except AeonError as exc:
            show_error(self, _("Could not remove the persona"), exc)
            return
        self.current_key = None
        self.refresh()

    def reset(self) -> None:
        if not self.current_key:
            return
        try:
            self.store.reset(self.current_key)
        except AeonError as exc:
            show_error(self, _("Could not reset the persona"), exc)
            return
        self.refresh(select=self.current_key)
