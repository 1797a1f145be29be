"""The chat header line: which model and adapter the persona answers with, and one click back to the previous one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from aeon_studio.core.i18n import _


def _adapter_name(info, adapter_id: str | None) -> str:
    if info is None:
        return adapter_id or ""
    return info.name if info.name == info.id else f"{info.name} ({info.id})"


class AdapterHeader(QFrame):
    """Shows a :class:`~aeon_studio.core.export.adapters.PersonaBinding`; ``back_requested`` on the back button."""

    back_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adapter_header")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAutoFillBackground(True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 2, 4, 2)
        lay.setSpacing(8)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.label, 1)
        self.back_button = QToolButton(self)
        self.back_button.setAutoRaise(True)
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.back_button.clicked.connect(self.back_requested)
        lay.addWidget(self.back_button)
        self.binding = None

    def show_binding(self, binding, model_name: str) -> None:
        """``binding``: a PersonaBinding, or None when it could not be read (only the model is shown)."""
        self.binding = binding
        if binding is None or binding.current_id is None:
            self.label.setText(_("Answering with: {model} (base model, no adapter)").format(model=model_name))
            self.label.setToolTip(_("This persona has no fine-tuned adapter; bind one in the Models tab."))
        else:
            name = _adapter_name(binding.current, binding.current_id)
            self.label.setText(_("Answering with: {model} + adapter {adapter}").format(model=model_name, adapter=name))
            tip = _("Persona '{persona}' answers through the fine-tuned adapter {adapter}.").format(
                persona=binding.persona_key, adapter=name)
            if binding.current is not None:
                tip += "\n" + _("Trained on {date}.").format(date=binding.current.created_at.strftime("%Y-%m-%d %H:%M"))
            self.label.setToolTip(tip)
        can_go_back = binding is not None and binding.can_go_back
        self.back_button.setVisible(can_go_back)
        if not can_go_back:
            return
        if binding.previous is None:
            self.back_button.setText("↶ " + _("Back to the base model"))
            self.back_button.setToolTip(_("Answer without an adapter again, as before the current one"))
        else:
            name = _adapter_name(binding.previous, binding.previous.id)
            self.back_button.setText("↶ " + _("Back to the previous version"))
            self.back_button.setToolTip(_("Answer with {adapter} again, the adapter used before the current one")
                                        .format(adapter=name))
