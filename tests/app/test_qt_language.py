"""Qt's own strings follow the app's language (a new user saw "Cancel", "Yes" and an English file picker in pt_BR)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_standard_buttons_are_portuguese_in_pt_br(qapp):
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QDialogButtonBox

    from aeon_studio.app.qt_language import install_qt_translations

    assert install_qt_translations(qapp, "en") is None
    translator = install_qt_translations(qapp, "pt_BR")
    try:
        assert translator is not None
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Yes)
        texts = {b.text().replace("&", "") for b in box.buttons()}
        assert texts == {"Cancelar", "Sim"}
        box.deleteLater()
    finally:
        if translator is not None:
            QCoreApplication.removeTranslator(translator)
