"""Main window: one tab per area of the app.

Each tab is a QWidget subclass built as ``TabClass(ctx: AppContext, parent)``; it
may define ``shutdown()`` (called before the window closes, e.g. to stop a stream
and store what was shown) and ``tab_title()``.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QWidget

from ..core.i18n import _
from .context import AppContext

log = logging.getLogger(__name__)

#: (module, class) of each tab, in order. Tabs come with their issues: no placeholders.
TAB_CLASSES: list[tuple[str, str]] = [
    ("aeon_studio.app.chat_tab", "ChatTab"),
    ("aeon_studio.app.persona_tab", "PersonaTab"),
    ("aeon_studio.app.memory_tab", "MemoryTab"),
    ("aeon_studio.app.models_tab", "ModelsTab"),
    ("aeon_studio.app.dataset_tab", "DatasetTab"),
    ("aeon_studio.app.training_tab", "TrainingTab"),
]

#: Modules with an ``install(window)`` function that add to existing tabs once all
#: tabs exist (e.g. the Retrain button of the chat tab comes from the training area).
EXTENSIONS: list[str] = ["aeon_studio.app.retrain", "aeon_studio.app.memory_tab"]


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext | None = None) -> None:
        super().__init__()
        self.ctx = ctx or AppContext()
        self.setWindowTitle(_("Aeon Studio"))
        self.resize(1180, 760)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self._tab_widgets: dict[str, QWidget] = {}
        for module_name, class_name in TAB_CLASSES:
            cls = getattr(importlib.import_module(module_name), class_name)
            widget = cls(self.ctx, self)
            title = widget.tab_title() if hasattr(widget, "tab_title") else class_name
            self._tab_widgets[class_name] = widget
            self.tabs.addTab(widget, title)
        self._build_menu()
        for module_name in EXTENSIONS:
            importlib.import_module(module_name).install(self)

    def tab(self, class_name: str) -> QWidget:
        return self._tab_widgets[class_name]

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu(_("&File"))
        quit_action = QAction(_("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        menu.addAction(quit_action)
        self.help_menu = self.menuBar().addMenu(_("&Help"))
        self.feedback_action = QAction(_("Give &feedback…"), self)
        self.feedback_action.triggered.connect(self._feedback)
        self.help_menu.addAction(self.feedback_action)
        about = QAction(_("&About Aeon Studio"), self)
        about.triggered.connect(self._about)
        self.help_menu.addAction(about)

    def _feedback(self) -> None:
        """The usability/NPS survey, any time (the chat tab also offers it every Nth rating)."""
        chat = self._tab_widgets.get("ChatTab")
        if chat is not None:
            chat.open_survey()

    def _about(self) -> None:
        from .. import __version__

        QMessageBox.about(self, _("About Aeon Studio"), _(
            "<b>Aeon Studio {version}</b><p>A local-first studio for your personal AI assistant: chat, rate, "
            "build datasets and retrain it on your own machine.</p><p>Data folder: {home}</p>").format(
                version=__version__, home=self.ctx.home))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        for widget in self._tab_widgets.values():
            shutdown = getattr(widget, "shutdown", None)
            if shutdown is not None:
                try:
                    shutdown()
                except Exception:
                    log.exception("shutdown of %s failed", type(widget).__name__)
        self.ctx.close()  # stop watching the database for changes
        super().closeEvent(event)


def show_error(parent: QWidget | None, title: str, err: BaseException | str) -> None:
    """Every error reaches a dialog and the log (with its traceback when it was raised); the app keeps running."""
    raised = isinstance(err, BaseException) and err.__traceback__ is not None
    log.error("%s: %s", title, err, exc_info=err if raised else None)
    box = QMessageBox(QMessageBox.Icon.Warning, title, str(err), QMessageBox.StandardButton.Ok, parent)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()
