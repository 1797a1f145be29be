"""The chat header line: which model and adapter (or which server) the persona answers with, one click back to the
previous adapter, and a clear mark when the persona may send messages off this computer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

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
        # Never wider than the window leaves it: a long model or server name is cut, its tooltip has it all.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay.addWidget(self.label, 1)
        self.back_button = QToolButton(self)
        self.back_button.setAutoRaise(True)
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.back_button.clicked.connect(self.back_requested)
        lay.addWidget(self.back_button)
        #: Shown when the persona may send what the user types to another computer.
        self.privacy_label = QLabel(self)
        self.privacy_label.setObjectName("privacy_mark")
        self.privacy_label.setProperty("tone", "warning")
        self.privacy_label.hide()
        lay.addWidget(self.privacy_label)
        self.binding = None

    def show_backend(self, persona) -> None:
        """After :meth:`show_binding`: a persona answering through a server says which one (adapters do not apply
        there), and one that may send messages off this computer is marked."""
        text, tip = describe_backends(persona)
        if text is not None:
            self.label.setText(text)
            self.label.setToolTip(tip)
            self.back_button.hide()
        elif tip and len(persona.backends) > 1:
            self.label.setToolTip(tip)
        if text is None and getattr(persona, "route_by_domain", False):  # the adapter changes per message
            self.label.setText(_("Answering with: {model} + the adapter for each message's domain").format(
                model=getattr(self, "model_name", "—")))
            self.label.setToolTip(_("Each message is sorted into a domain (technical, support, legal…) and answered "
                                    "by the adapter chosen for it in the Personas tab; each reply says which."))
        mark, why = privacy_text(persona)
        self.privacy_label.setText(mark)
        self.privacy_label.setToolTip(why)
        self.privacy_label.setVisible(bool(mark))

    def show_binding(self, binding, model_name: str) -> None:
        """``binding``: a PersonaBinding, or None when it could not be read (only the model is shown)."""
        self.binding = binding
        self.model_name = model_name
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


def _server(config, *, url: bool = True) -> str:
    from aeon_studio.core.chat.backends.base import backend_label

    if not url:
        return _("{model} ({backend})").format(model=config.model, backend=backend_label(config.kind))
    return _("{model} ({backend}, {url})").format(model=config.model, backend=backend_label(config.kind),
                                                  url=config.effective_url())


def describe_backends(persona) -> tuple[str | None, str]:
    """(header text, tooltip) for a persona that answers through a server; (None, order) for the embedded engine."""
    backends = persona.backends
    order = [(_("the embedded model") if b.kind == "embedded" else _server(b)) for b in backends]
    tip = _("Tried in this order:") + "".join(f"\n{i}. {text}" for i, text in enumerate(order, 1)) if order else ""
    if not backends or backends[0].kind == "embedded":
        return None, tip
    # Short: the addresses are in the tooltip (a long line would widen the whole window).
    short = [(_("the embedded model") if b.kind == "embedded" else _server(b, url=False)) for b in backends]
    text = _("Answering with: {server}").format(server=short[0])
    if len(short) > 1:
        text += " · " + _("then {next}").format(next=short[1])
    return text, tip


def privacy_text(persona) -> tuple[str, str]:
    """(mark, tooltip) for a persona that may send messages to another computer; ('', '') when it does not."""
    away = [b.effective_url() for b in persona.backends if not b.is_local]
    if not away:
        return "", ""
    from urllib.parse import urlsplit

    hosts = ", ".join(dict.fromkeys(urlsplit(u).hostname or u for u in away))
    tip = _("What you type in this chat is sent to {urls}.").format(urls=", ".join(away))
    tip += "\n" + (_("Recalled memory notes are not sent there.") if persona.memory_local_only
                   else _("Recalled memory notes are sent there too (the persona allows it)."))
    return "⚠ " + _("Online: messages go to {hosts}").format(hosts=hosts), tip
