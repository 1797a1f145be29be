"""Scheduled retraining in the app: when a persona's retrain is due and nobody has typed or generated for a
while, run ``aeon-studio retrain --auto`` in a child process and show its verdict in a non-modal banner (and the
tray, when there is one).

The decision (is it due? which data? the lock, the gate, the failure count) is the core's
(:mod:`aeon_studio.core.training.schedule`, ``retrain --auto``): the app only watches for idleness, starts the
same command a systemd timer runs, and tells the user what came of it. Never two at once: this runner starts one
process at a time, and the core's lock refuses a second caller (a timer firing meanwhile).
"""

from __future__ import annotations

import json
import logging
import time

from PySide6.QtCore import QEvent, QObject, QProcess, QProcessEnvironment, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QSystemTrayIcon, QToolButton,
                               QVBoxLayout, QWidget)

from aeon_studio.core.i18n import _

log = logging.getLogger(__name__)

#: Seconds without a key press, click or reply being generated before a due run may start.
IDLE_S = 300
#: How often the runner looks whether a run is due (a few small database counts).
CHECK_MS = 60_000
_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel}


class VerdictBanner(QFrame):
    """A non-modal notice over the window's bottom-right corner; it stays until dismissed (the user was away)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("survey_banner")  # the chat's notice style
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)  # opaque over the tab even without the style sheet
        lay = QHBoxLayout(self)
        text = QVBoxLayout()
        self.title = QLabel(self)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.addWidget(self.title)
        text.addWidget(self.text)
        lay.addLayout(text, 1)
        self.close_btn = QToolButton(self)
        self.close_btn.setText("✕")
        self.close_btn.setToolTip(_("Dismiss"))
        self.close_btn.clicked.connect(self.hide)
        lay.addWidget(self.close_btn, 0, Qt.AlignmentFlag.AlignTop)
        self.setFixedWidth(460)
        window.installEventFilter(self)
        self.hide()

    def show_message(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.text.setText(text)
        self.adjustSize()
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        w = self.parentWidget()
        self.move(max(0, w.width() - self.width() - 16), max(0, w.height() - self.sizeHint().height() - 36))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False


class ScheduleRunner(QObject):
    """Starts due scheduled retrains while the app is idle and announces their verdicts.

    Args:
        window: the main window (the banner's parent, the dialog's parent).
        chat: the chat tab (``worker`` is not None while a reply is generated).
        training: the Training tab (``process.running()`` while a run trains there).
    """

    #: the final event of ``retrain --auto`` (``scheduled``, ``interrupted`` or ``skipped``)
    finished = Signal(dict)

    def __init__(self, window: QWidget, *, chat, training, idle_s: float = IDLE_S, check_ms: int = CHECK_MS) -> None:
        super().__init__(window)
        self.window, self.chat, self.training = window, chat, training
        self.ctx = chat.ctx
        self.idle_s = idle_s
        self.last_activity = time.monotonic()
        self.proc: QProcess | None = None
        self._buffer = b""
        self.events: list[dict] = []
        self.banner = VerdictBanner(window)
        self.tray: QSystemTrayIcon | None = None
        self.button = QPushButton(_("Automatic retraining…"))
        self.button.setToolTip(_("Retrain a persona by itself when you have rated enough new replies."))
        self.button.clicked.connect(self.open_dialog)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setInterval(check_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    # -- idleness ------------------------------------------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() in _ACTIVITY:
            self.last_activity = time.monotonic()
        return False

    def idle(self) -> bool:
        """Nobody typed, clicked or scrolled for ``idle_s``, no reply is being generated, nothing trains."""
        if getattr(self.chat, "worker", None) is not None or self.training.process.running():
            self.last_activity = time.monotonic()  # "a while" counts from the end of the generation
            return False
        return time.monotonic() - self.last_activity >= self.idle_s

    def running(self) -> bool:
        return self.proc is not None

    # -- the run -------------------------------------------------------------------------------------------------
    def due_personas(self) -> list[str]:
        """Personas whose scheduled retrain is due now (the app already knows the user is away: not ``busy``)."""
        from aeon_studio.core.errors import AeonError
        from aeon_studio.core.training.schedule import check_due, scheduled_personas

        try:
            return [k for k in scheduled_personas() if check_due(k, self.ctx.db, busy=False).due]
        except AeonError:  # a broken schedule file: the dialog and 'schedule show' say what is wrong
            log.warning("scheduled retraining: cannot check", exc_info=True)
            return []

    def check(self) -> bool:
        """Start a run if one is due and the app is idle; True when one started."""
        if self.running() or not self.idle() or not self.due_personas():
            return False
        self.start()
        return True

    def command(self) -> list[str]:
        from aeon_studio.core.processes import cli_command

        return cli_command("retrain", "--auto", "--json-events")

    def start(self) -> None:
        """Run ``retrain --auto`` (it re-checks what is due under its lock, lowers its priority, gates)."""
        cmd = self.command()
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("AEON_STUDIO_HOME", str(self.ctx.home))  # the same data as this window
        proc.setProcessEnvironment(env)
        proc.readyReadStandardOutput.connect(self._read)
        proc.finished.connect(self._done)
        self.proc, self._buffer, self.events = proc, b"", []
        log.info("scheduled retraining: starting %s", " ".join(cmd))
        proc.start(cmd[0], cmd[1:])

    def _read(self) -> None:
        assert self.proc is not None
        self._buffer += bytes(self.proc.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                ev = json.loads(line)
            except ValueError:
                continue  # a library writing to stdout
            if isinstance(ev, dict):
                self.events.append(ev)

    def _done(self, *_args: object) -> None:
        self._read()
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.deleteLater()
        for ev in self.events:
            if ev.get("event") in ("scheduled", "interrupted"):
                self.notify(ev)
        if self.events:
            self.finished.emit(self.events[-1])

    def notify(self, ev: dict) -> None:
        """The verdict (or why it failed, or why it stopped) as a banner, and in the tray when there is one."""
        title = _("Automatic retraining")
        text = ev.get("message") or ""
        if ev.get("stopped"):  # the reason already names the last failure
            title = _("Automatic retraining stopped")
            text = (ev.get("stopped_reason") or text) + "\n" + _(
                "It will not try again until you turn it back on (Training tab, Automatic retraining…).")
        self.banner.show_message(title, text.strip())
        if QSystemTrayIcon.isSystemTrayAvailable() and not self.window.windowIcon().isNull():
            if self.tray is None:
                self.tray = QSystemTrayIcon(self.window.windowIcon(), self)
            self.tray.show()
            self.tray.showMessage(title, text.strip(), QSystemTrayIcon.MessageIcon.Information, 15000)

    def shutdown(self) -> None:
        """The window closes during a run: stop the worker (the run ends cancelled, the version in use stays) and
        the process; the next ``retrain --auto`` takes the lock over and records the run as interrupted."""
        if self.proc is None:
            return
        from aeon_studio.core.training import runs
        from aeon_studio.core.training.schedule import lock_holder

        holder = lock_holder() or {}
        if holder.get("run_id"):
            try:
                runs.cancel(holder["run_id"], self.ctx.db)
            except Exception:  # noqa: BLE001 - closing must not fail over it
                log.exception("cancel the scheduled run")
        self.proc.finished.disconnect(self._done)
        self.proc.kill()
        self.proc.waitForFinished(5000)
        self.proc = None

    def open_dialog(self) -> None:
        from aeon_studio.app.training.schedule_dialog import ScheduleDialog

        key = self.chat.persona_combo.currentData() if hasattr(self.chat, "persona_combo") else None
        self.dialog = ScheduleDialog(self.ctx, self.window, persona=key)
        self.dialog.open()
