"""The first-run welcome: shown once, switches the language live, saves language and persona."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox


def test_welcome_switches_language_and_saves_the_choices(qtbot, monkeypatch):
    from aeon_studio.app.welcome import WelcomeDialog, needs_welcome
    from aeon_studio.core import i18n
    from aeon_studio.core.settings import get_settings

    monkeypatch.delenv("AEON_STUDIO_LANGUAGE")  # the environment would win over the saved choice
    assert needs_welcome()
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Welcome to Aeon Studio"
    assert str(get_settings().home) in dialog.where.text()
    try:
        dialog.language.setCurrentIndex(dialog.language.findData("pt_BR"))
        assert dialog.windowTitle() == "Boas-vindas ao Aeon Studio"
        assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Começar"
        assert "estrelas" in dialog.how.text()
        dialog.persona.setCurrentIndex(dialog.persona.findData("formal"))
        dialog.save()
    finally:
        i18n.set_language(None)
    settings = get_settings()
    assert (settings.language, settings.default_persona, settings.welcome_done) == ("pt_BR", "formal", True)
    assert not needs_welcome()
