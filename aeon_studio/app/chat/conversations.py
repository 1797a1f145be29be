"""The chat's conversation list: the model behind it and what its search box and buttons do.

:class:`ConversationList` is mixed into :class:`~aeon_studio.app.chat.tab.ChatTab`; it uses the tab's widgets
(``search_box``, ``conv_model``, ``conv_view``, the pickers), its ``service`` and ``current_id``, and the tab's
:meth:`stop`, :meth:`render_messages` and scrolling.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from aeon_studio.core.i18n import _
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.shared.table_model import Column, ListModel


class ConversationModel(ListModel):
    """The conversation list: titles, the last change as tooltip, the id as ``UserRole``."""

    columns = (Column("", lambda c: c.title or _("New conversation"),
                      tooltip=lambda c: c.updated_at.strftime("%Y-%m-%d %H:%M")),)
    row_roles = {Qt.ItemDataRole.UserRole: lambda c: c.id}


class ConversationList:
    """List, search, start, rename, delete and open conversations (a mixin of the chat tab)."""

    def refresh_conversations(self) -> None:
        try:
            rows = self.service.store.list_conversations(self.search_box.text().strip())
        except Exception as exc:
            show_error(self, _("Could not list conversations"), exc)
            return
        self.conv_model.set_rows(rows)
        for r, c in enumerate(rows):
            if c.id == self.current_id:
                self.conv_view.setCurrentIndex(self.conv_model.index(r))

    def new_conversation(self) -> None:
        self.stop(wait=True)
        self.current_id = None
        self._follow_end()
        self._clear_bubbles()
        self.input.setFocus()
        self.conv_view.clearSelection()

    def rename_conversation(self) -> None:
        if self.current_id is None:
            return
        conv = self.service.store.get_conversation(self.current_id)
        title, ok = QInputDialog.getText(self, _("Rename conversation"), _("New title:"), text=conv.title)
        if ok and title.strip():
            self.service.store.rename_conversation(conv.id, title.strip())
            self.refresh_conversations()

    def delete_conversation(self, confirm: bool = True) -> None:
        if self.current_id is None:
            return
        if confirm and QMessageBox.question(
                self, _("Delete conversation"),
                _("Delete this conversation and all its messages and ratings? This cannot be undone.")
        ) != QMessageBox.StandardButton.Yes:
            return
        self.stop(wait=True)
        self.service.store.delete_conversation(self.current_id)
        self.current_id = None
        self._clear_bubbles()
        self.refresh_conversations()

    def open_conversation(self, conv_id: int | None) -> None:
        if conv_id is None:
            return
        if self.worker is not None and conv_id != self.current_id:
            self.stop(wait=True)
        if conv_id != self.current_id:
            self._follow_end()
        self.current_id = conv_id
        conv = self.service.store.get_conversation(conv_id)
        self._select(self.persona_combo, conv.persona_key)
        self._select(self.model_combo, conv.model_id)
        self.render_messages()
