"""Persona tab (edit/add/remove/reset, inline validation) and the survey (banner, dialog, ranges)."""

from __future__ import annotations

import pytest

from aeon_studio.app.personas import tab as persona_tab_module
from aeon_studio.app.context import AppContext
from aeon_studio.app.main_window import MainWindow
from aeon_studio.app.shared.survey import SurveyDialog

pytestmark = pytest.mark.gui


def test_persona_edit_add_remove_reset(qtbot, monkeypatch):
    w = MainWindow(AppContext())
    qtbot.addWidget(w)
    tab = w.personas
    store = tab.store
    tab.select("formal")
    tab.temperature.setValue(1.1)
    assert tab.save()
    assert store.get("formal").temperature == pytest.approx(1.1)
    assert "edited" in tab.model.data(tab.model.index(2))
    assert tab.reset_button.isEnabled()
    tab.reset_button.click()
    assert store.get("formal").temperature == pytest.approx(0.3)

    tab.start_add()
    tab.key_edit.setText("Bad Key!")
    tab.name_edit.setText("Support")
    assert not tab.save()
    assert tab.error_label.isVisibleTo(tab) and "key" in tab.error_label.text()
    assert "Bad Key!" not in [p.key for p in store.list()]
    tab.key_edit.setText("suporte")
    tab.prompt_edit.setPlainText("You help customers.")
    assert tab.save()
    assert store.get("suporte").system_prompt == "You help customers."
    assert tab.remove_button.isEnabled()

    tab.name_edit.setText("  ")
    assert not tab.save()
    assert store.get("suporte").name == "Support"

    monkeypatch.setattr(persona_tab_module.QMessageBox, "question",
                        lambda *a, **k: persona_tab_module.QMessageBox.StandardButton.Yes)
    tab.remove_button.click()
    assert "suporte" not in [p.key for p in store.list()]
    tab.select("casual")
    assert not tab.remove_button.isEnabled()


def test_survey_banner_and_dialog(qtbot):
    ctx = AppContext()
    ctx.settings.survey_every = 2
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    tab = w.chat
    store = tab.service.store
    conv = tab.service.new_conversation()
    ids = [store.add_message(conv.id, "assistant", f"r{i}").id for i in range(4)]
    tab.rate(ids[0], 5)
    assert not tab.banner.isVisible()
    tab.rate(ids[1], 3)
    assert tab.banner.isVisible()
    tab.banner_close.click()
    assert not tab.banner.isVisible()
    tab.rate(ids[2], 4)
    assert not tab.banner.isVisible()

    dlg = tab.open_survey()
    assert isinstance(dlg, SurveyDialog)
    dlg.usability.set_value(99)  # not on the scale: no answer, rather than a made-up one
    assert dlg.usability.value() is None
    dlg.usability.set_value(6)
    dlg.nps.set_value(9)
    assert dlg.send() == {"usability": 6, "nps": 9}
    s = store.stats()
    assert store.last_survey_at_rated_count() == 3
    assert s is not None
    tab.rate(ids[3], 2)
    assert not tab.banner.isVisible()

    w.feedback_action.trigger()
    dlgs = [d for d in tab.findChildren(SurveyDialog) if d.isVisible()]
    assert dlgs


def test_survey_starts_empty_and_stores_only_what_was_answered(qtbot):
    """Both questions are optional: nothing is pre-selected, and Send records only the answers given."""
    from PySide6.QtCore import Qt

    from aeon_studio.core.storage import get_database
    from aeon_studio.core.storage.chats import ChatStore

    store = ChatStore(get_database())
    dlg = SurveyDialog(store)
    qtbot.addWidget(dlg)
    dlg.show()
    buttons = dlg.usability.group.buttons() + dlg.nps.group.buttons()
    assert len(buttons) == 7 + 11 and not any(b.isChecked() for b in buttons)
    assert dlg.answers() == {} and not dlg.send_button.isEnabled()
    assert dlg.send() == {}  # even when forced, an empty survey stores nothing
    click = lambda button: qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # noqa: E731
    click(dlg.nps.group.button(9))
    assert dlg.send_button.isEnabled() and dlg.answers() == {"nps": 9}
    click(dlg.nps.group.button(9))  # the same number again takes the answer back
    assert dlg.answers() == {} and not dlg.send_button.isEnabled()
    click(dlg.nps.group.button(10))
    click(dlg.nps.group.button(3))  # one answer per question
    assert dlg.answers() == {"nps": 3} and [b.text() for b in buttons if b.isChecked()] == ["3"]
    dlg.grab()  # painted (laid out) as the user sees it before sending
    click(dlg.send_button)
    stats = store.stats()
    assert (stats.usability_answers, stats.nps_answers) == (0, 1)
    assert dlg.isVisible() and dlg.pages.currentWidget() is dlg.thanks and "Thank you" in dlg.thanks.text()
    assert dlg.close_button.isVisible() and not dlg.send_button.isVisible()
    qtbot.waitUntil(lambda: dlg.close_button.height() > 0, timeout=2000)  # the button box keeps its height
    click(dlg.close_button)
    assert not dlg.isVisible() and dlg.result() == SurveyDialog.DialogCode.Accepted


def test_persona_labels_agree_in_portuguese(qtbot):
    from types import SimpleNamespace

    from aeon_studio.core import i18n

    model = persona_tab_module.PersonaModel()
    model.set_rows([SimpleNamespace(name="Técnico", key="tecnico", builtin=True, customized=False),
                    SimpleNamespace(name="Casual", key="casual", builtin=True, customized=True),
                    SimpleNamespace(name="Suporte", key="suporte", builtin=False, customized=False)])
    labels = lambda: [model.data(model.index(i)) for i in range(3)]  # noqa: E731
    assert labels() == ["Técnico  (built-in)", "Casual  (built-in, edited)", "Suporte  (custom)"]
    i18n.set_language("pt_BR")
    try:
        assert labels() == ["Técnico  (embutida)", "Casual  (embutida, editada)", "Suporte  (personalizada)"]
    finally:
        i18n.set_language(None)
