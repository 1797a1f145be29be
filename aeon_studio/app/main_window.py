"""Main window: one tab per area of the app, wired here.

Each tab is a QWidget subclass built as ``TabClass(ctx: AppContext, parent)``; it may define ``shutdown()``
(called before the window closes, e.g. to stop a stream and store what was shown) and ``tab_title()``.
Tabs never look each other up: what one needs of another is passed in, or connected, here.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTabWidget, QWidget

from aeon_studio.app.chat.tab import ChatTab
from aeon_studio.app.context import AppContext
from aeon_studio.app.dashboard.tab import DashboardTab
from aeon_studio.app.datasets.tab import DatasetTab
from aeon_studio.app.evaluation.tab import EvaluationTab
from aeon_studio.app.memory.store import schedule_warm_up
from aeon_studio.app.memory.tab import MemoryTab
from aeon_studio.app.models.tab import ModelsTab
from aeon_studio.app.personas.tab import PersonaTab
from aeon_studio.app.training.retrain import Retrain
from aeon_studio.app.training.schedule import ScheduleRunner
from aeon_studio.app.training.tab import TrainingTab
from aeon_studio.core.i18n import _

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext | None = None) -> None:
        super().__init__()
        self.ctx = ctx or AppContext()
        self.setWindowTitle(_("Aeon Studio"))
        self.resize(1180, 760)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.chat = ChatTab(self.ctx, self)
        self.personas = PersonaTab(self.ctx, self)
        self.memory = MemoryTab(self.ctx, self)
        self.models = ModelsTab(self.ctx, self)
        self.datasets = DatasetTab(self.ctx, self)
        self.training = TrainingTab(self.ctx, self)
        self.evaluation = EvaluationTab(self.ctx, self)
        self.dashboard = DashboardTab(self.ctx, self)
        for widget in self.all_tabs():
            self.tabs.addTab(widget, widget.tab_title())
        # the Training tab's dataset picker follows what the Datasets tab changes
        self.datasets.dataset_changed.connect(lambda _name: self.training.refresh_choices())
        # the chat's Retrain button drives a run in the Training tab
        self.retrain = Retrain(self, chat=self.chat, training=self.training)
        self.chat.toolbar_layout.addWidget(self.retrain.button)
        # scheduled retraining: runs by itself when due and idle; its settings from the Training tab
        self.schedule = ScheduleRunner(self, chat=self.chat, training=self.training)
        self.training.button_row.addWidget(self.schedule.button)
        self._build_menu()
        schedule_warm_up(self.ctx)

    def all_tabs(self) -> list[QWidget]:
        return [self.chat, self.personas, self.memory, self.models, self.datasets, self.training, self.evaluation,
                self.dashboard]

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
        self.chat.open_survey()

    def _about(self) -> None:
        from aeon_studio import __version__

        QMessageBox.about(self, _("About Aeon Studio"), _(
            "<b>Aeon Studio {version}</b><p>A local-first studio for your personal AI assistant: chat, rate, "
            "build datasets and retrain it on your own machine.</p><p>Data folder: {home}</p>").format(
                version=__version__, home=self.ctx.home))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        self.schedule.shutdown()
        for widget in self.all_tabs():
            shutdown = getattr(widget, "shutdown", None)  # optional per tab (see the module docstring)
            if shutdown is not None:
                try:
                    shutdown()
                except Exception:
                    log.exception("shutdown of %s failed", type(widget).__name__)
        self.ctx.close()  # stop watching the database for changes
        super().closeEvent(event)
