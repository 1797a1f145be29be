"""The Personas tab's "Chat backend" box: who answers (the embedded model, an Ollama server, an OpenAI-compatible
API), an optional second choice when the first cannot answer, and whether recalled memory may leave the computer.

Widgets only: the settings are :class:`~aeon_studio.core.personas.BackendConfig` values, validated by the core when
the persona is saved; API keys go to the system keyring through :mod:`aeon_studio.core.chat.backends.keys`.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from aeon_studio.core.i18n import _

log = logging.getLogger(__name__)


def _kinds(optional: bool) -> list[tuple[str, str | None]]:
    out = [(_("Nothing: show the error"), None)] if optional else []
    return out + [(_("Embedded model (this computer)"), "embedded"), (_("Ollama server"), "ollama"),
                  (_("OpenAI-compatible API"), "openai")]


def ollama_model_names() -> list[str]:
    """Names of the models Ollama has on this computer (its models folder; no server needed), for completion."""
    try:
        from aeon_studio.core.ollama.library import list_ollama_models

        return [m.name for m in list_ollama_models()]
    except Exception:  # no folder, unreadable manifests: the field simply offers nothing
        log.info("could not list Ollama's models", exc_info=True)
        return []


def _key_stored(url: str) -> bool:
    try:
        from aeon_studio.core.chat.backends.keys import has_api_key

        return has_api_key(url)
    except Exception:  # a locked or missing keyring: the field just says nothing is stored
        log.info("could not ask the keyring about %s", url, exc_info=True)
        return False


class BackendEditor(QObject):
    """One backend: kind, the server's model name, its URL and (OpenAI-compatible) an API key, as rows of ``form``
    (both editors of the box share one form, so their labels line up).

    Args:
        form: The form layout its rows are added to.
        optional: Offer "Nothing" (for the fallback choice).
    """

    def __init__(self, form: QFormLayout, parent: QWidget, optional: bool = False) -> None:
        super().__init__(parent)
        self.kind = QComboBox(parent)
        for text, kind in _kinds(optional):
            self.kind.addItem(text, kind)
        self.model = QLineEdit(parent)
        #: Ollama's local model names, read the first time an Ollama backend is shown.
        self._ollama_names: list[str] | None = None
        self.url = QLineEdit(parent)
        self.key = QLineEdit(parent)
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.where = QLabel(parent)
        self.where.setWordWrap(True)
        form.addRow(_("Answered by:") if not optional else _("If it cannot answer:"), self.kind)
        form.addRow(_("Model name:"), self.model)
        form.addRow(_("Server address:"), self.url)
        form.addRow(_("API key:"), self.key)
        form.addRow("", self.where)
        self._form = form
        #: Whether the keyring holds a key for the shown server (asked once per persona shown, not per keystroke).
        self._stored = False
        self.kind.currentIndexChanged.connect(lambda _i: self._update())
        self.url.textChanged.connect(lambda _t: self._update_where())
        self._update()

    def set_config(self, config) -> None:
        """Show ``config`` (a BackendConfig, or None: embedded / nothing)."""
        kind = config.kind if config is not None else self.kind.itemData(0)
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.model.setText(config.model if config is not None else "")
        self.url.setText(config.url if config is not None else "")
        self.key.clear()
        self._stored = config is not None and config.kind == "openai" and _key_stored(config.url)
        self._update()

    def config(self) -> dict | None:
        """The settings as typed (the core validates them on save); None for "Nothing"."""
        kind = self.kind.currentData()
        if kind is None:
            return None
        if kind == "embedded":
            return {"kind": "embedded"}
        return {"kind": kind, "model": self.model.text().strip(), "url": self.url.text().strip()}

    def typed_key(self) -> str:
        """A new API key typed here ('' keeps the stored one)."""
        return self.key.text().strip() if self.kind.currentData() == "openai" else ""

    def _update(self) -> None:
        kind = self.kind.currentData()
        server = kind in ("ollama", "openai")
        for widget, show in ((self.model, server), (self.url, server), (self.key, kind == "openai"),
                             (self.where, kind is not None)):
            self._form.setRowVisible(widget, show)
        self.model.setPlaceholderText("qwen2.5:1.5b" if kind == "ollama" else "llama-3.1-8b-instant")
        if kind == "ollama" and self._ollama_names is None:
            self._ollama_names = ollama_model_names()
            completer = QCompleter(self._ollama_names, self.model)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.model.setCompleter(completer)
        if kind == "ollama" and self._ollama_names:
            self.model.setToolTip(_("Models Ollama has on this computer: {names}").format(
                names=", ".join(self._ollama_names)))
        else:
            self.model.setToolTip("")
        self.url.setPlaceholderText(_("empty: this computer's Ollama (OLLAMA_HOST)") if kind == "ollama"
                                    else "https://api.groq.com/openai/v1")
        self._update_where()

    def _update_where(self) -> None:
        from aeon_studio.core.personas import BackendConfig

        kind = self.kind.currentData()
        if kind is None:
            return
        try:
            cfg = BackendConfig(kind=kind, model=self.model.text() or "m", url=self.url.text()) \
                if kind != "embedded" else BackendConfig()
            local, url = cfg.is_local, cfg.effective_url()
        except Exception:  # not a valid address yet: Save says what is wrong
            self.where.setText("")
            return
        if local:
            self.where.setProperty("tone", "muted")
            self.where.setText(_("Messages stay on this computer."))
        else:
            self.where.setProperty("tone", "warning")
            self.where.setText("⚠ " + _("Messages are sent to {url}, another computer.").format(url=url))
        self.where.style().unpolish(self.where)
        self.where.style().polish(self.where)
        if kind == "openai":
            self.key.setPlaceholderText(_("a key is stored in the system keyring; type to replace it") if self._stored
                                        else _("stored in the system keyring, never in Aeon Studio's files"))


class BackendBox(QGroupBox):
    """The persona's backends: the first choice, one fallback, and the memory privacy switch.

    A fallback order longer than two (set with the CLI) is kept: the box edits the first two and leaves the rest.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Where replies come from"), parent)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.primary = BackendEditor(form, self)
        self.fallback = BackendEditor(form, self, optional=True)
        self.memory_local = QCheckBox(_("Recalled memory only in prompts that stay on this computer"), self)
        self.memory_local.setToolTip(_("When on, notes the assistant recalls from its memory are added only to "
                                       "prompts answered on this computer, never to an online API."))
        self.more = QLabel(self)
        self.more.setProperty("tone", "muted")
        self.more.setWordWrap(True)
        lay.addLayout(form)
        lay.addWidget(self.more)
        lay.addWidget(self.memory_local)
        self._rest: list = []

    def set_persona(self, persona) -> None:
        backends = list(persona.backends) if persona is not None else []
        self.primary.set_config(backends[0] if backends else None)
        self.fallback.set_config(backends[1] if len(backends) > 1 else None)
        self._rest = backends[2:]
        self.more.setText(_("Also tried after these: {rest} (change them with 'aeon-studio personas edit').").format(
            rest=", ".join(b.label() for b in self._rest)) if self._rest else "")
        self.more.setVisible(bool(self._rest))
        self.memory_local.setChecked(persona.memory_local_only if persona is not None else True)

    def backends(self) -> list[dict]:
        """The backend list to save ([] for the embedded model alone)."""
        first, second = self.primary.config(), self.fallback.config()
        out = [first] + ([second] if second else []) + [b.model_dump() for b in self._rest]
        return [] if out == [{"kind": "embedded"}] else out

    def typed_keys(self) -> list[tuple[str, str]]:
        """(server URL, key) for each API key typed in the box."""
        return [(cfg["url"], ed.typed_key()) for ed in (self.primary, self.fallback)
                if (cfg := ed.config()) and ed.typed_key() and cfg.get("url")]
