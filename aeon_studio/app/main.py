"""Start the desktop app: QApplication + qasync event loop, logging, and an error dialog for
anything unexpected. Nothing heavy (torch, transformers) is imported here."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import traceback

log = logging.getLogger("aeon_studio.app")


def _install_excepthook() -> None:
    def hook(exc_type, exc, tb):
        log.error("Unhandled error", exc_info=(exc_type, exc, tb))
        try:
            from PySide6.QtWidgets import QApplication

            from aeon_studio.app.shared.errors import show_error

            if QApplication.instance() is not None:
                from aeon_studio.core.i18n import _

                show_error(QApplication.activeWindow(), _("Unexpected error"),
                           f"{exc}\n\n" + "".join(traceback.format_exception_only(exc_type, exc)).strip())
        except Exception:  # pragma: no cover - last resort
            traceback.print_exception(exc_type, exc, tb)

    sys.excepthook = hook


def _report_shown(app, window) -> int:
    """Print how long after the process started the window was on screen (JSON), then quit."""
    import json
    import time

    import psutil

    app.processEvents()
    shown = window.isVisible()
    print(json.dumps({"window_shown": shown, "title": window.windowTitle(),
                      "seconds": round(time.time() - psutil.Process().create_time(), 3)}), flush=True)
    window.close()
    return 0 if shown else 1


def run_app(argv: list[str] | None = None) -> int:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox
    import qasync

    from aeon_studio.core.cli.main import setup_logging
    from aeon_studio.core.i18n import _
    from aeon_studio.app.main_window import MainWindow
    from aeon_studio.app.qt_language import install_qt_translations
    from aeon_studio.app.resources import icon_path
    from aeon_studio.app.style import apply_style, follow_system
    from aeon_studio.app.welcome import needs_welcome, run_welcome
    from aeon_studio.core.errors import StorageError
    from aeon_studio.core.home import apply_language_setting, disk_space_warning, prepare_home

    setup_logging()
    apply_language_setting()  # the language chosen in the welcome, before any text is made
    app = QApplication.instance() or QApplication(argv or sys.argv)
    app.setApplicationName("Aeon Studio")
    app.setOrganizationName("Aeon Studio")
    app.setDesktopFileName("aeon-studio")
    if icon_path().exists():
        app.setWindowIcon(QIcon(str(icon_path())))
    _install_excepthook()
    install_qt_translations(app)  # Qt's own buttons and dialogs in the app's language
    apply_style(app)  # once, before any widget: the theme follows the system unless AEON_STUDIO_THEME forces one
    follow_system(app)
    try:
        home = prepare_home()
    except StorageError as exc:  # not writable, or the disk is full: say where and what to do
        QMessageBox.critical(None, _("Aeon Studio cannot start"), str(exc))
        return 1
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        if needs_welcome() and not run_welcome():
            return 0  # closed the welcome: it shows again next time
        window = MainWindow()
    except Exception as exc:  # e.g. a database from a newer version: say why, then exit
        log.exception("cannot start")
        QMessageBox.critical(None, _("Aeon Studio cannot start"), str(exc))
        return 1
    window.show()
    if os.environ.get("AEON_STUDIO_QUIT_AFTER_SHOW"):  # start-up check (scripts/bundle_smoke.sh, bench/startup.py)
        return _report_shown(app, window)
    warning = disk_space_warning(home)
    if warning:
        QMessageBox.warning(window, _("Disk nearly full"), warning)
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    with loop:
        loop.run_until_complete(closing.wait())
    return 0
