"""Qt's own strings (standard buttons, file dialogs, context menus) in the app's language.

The app's strings come from ``resources/translations`` through :mod:`aeon_studio.core.i18n`; Qt's come from the
``qtbase_<lang>.qm`` files that PySide6 ships. Without them a Portuguese window shows "Cancel", "Yes" and an
English file picker next to Portuguese text.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from aeon_studio.core.i18n import current_language


def install_qt_translations(app: QCoreApplication, lang: str | None = None) -> QTranslator | None:
    """Load Qt's translation for ``lang`` (default: the app's language) into ``app``; returns it, or None for
    English or a language Qt has no file for. The translator is parented to ``app`` so it lives as long."""
    lang = lang or current_language()
    if lang.split("_")[0] in ("", "en", "C", "POSIX"):
        return None
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    translator = QTranslator(app)
    candidates = [lang, lang.split("_")[0]] + (["pt_BR"] if lang.startswith("pt") else [])
    for name in candidates:
        if translator.load(f"qtbase_{name}", folder):
            app.installTranslator(translator)
            return translator
    return None
