"""The machine's hourly price in the Training tab's Advanced box: saved through the settings' own check (the one
``aeon-studio settings set`` uses), in English and pt_BR, and the next run's summary shows what it cost."""

from __future__ import annotations

import pytest

from tests.app.training.test_tab_methods_cost import _finished_orpo_run

pytestmark = pytest.mark.gui


def _tab(qtbot):
    from aeon_studio.app.context import AppContext
    from aeon_studio.app.training.tab import TrainingTab

    tab = TrainingTab(AppContext())
    qtbot.addWidget(tab)
    tab.show()
    tab.advanced.setChecked(True)  # the box opens: the currency list is filled when it is first shown
    return tab


def test_the_price_set_in_the_advanced_box_is_saved_and_the_next_run_shows_its_cost(qtbot, tmp_path):
    from aeon_studio.core.settings import get_settings

    tab = _tab(qtbot)
    price = tab.advanced.machine_price
    assert price.price.value() == 0 and price.price.text() == "not counted"  # no price yet: no cost
    assert price.currency.currentData() == "USD" and price.currency.count() > 100
    assert price.currency.itemText(price.currency.findData("BRL")) == "BRL — Brazilian Real"
    with qtbot.waitSignal(price.saved, timeout=2000):
        price.price.setValue(1.8)
    with qtbot.waitSignal(price.saved, timeout=2000):
        price.currency.setCurrentIndex(price.currency.findData("BRL"))
    s = get_settings()
    assert (s.machine_hourly_price, s.machine_currency) == (1.8, "BRL")
    assert price.error.isHidden()
    tab.show_run(_finished_orpo_run(tab, tmp_path))  # created after the change: half an hour at 1.80 BRL
    assert tab.status.text().endswith(" · estimated cost R$0.90"), tab.status.text()
    assert tab.status.toolTip() == "Estimated cost: R$0.90 (30 minutes at R$1.80 an hour)."


def test_a_value_the_settings_refuse_is_said_and_nothing_is_stored(qtbot):
    from aeon_studio.core.settings import change, get_settings

    change(machine_hourly_price=0.5)
    price = _tab(qtbot).advanced.machine_price
    assert price.price.value() == 0.5
    price._save(machine_currency="dollars")  # the same check as 'settings set machine_currency dollars'
    assert price.error.isVisible() and "machine_currency: 'dollars' is not a valid value" in price.error.text()
    assert get_settings().machine_currency == "USD" and price.currency.currentData() == "USD"
    with qtbot.waitSignal(price.saved, timeout=2000):
        price.price.setValue(0.75)
    assert price.error.isHidden() and get_settings().machine_hourly_price == 0.75


def test_the_price_row_in_portuguese(qtbot):
    from PySide6.QtWidgets import QLabel

    from aeon_studio.core.i18n import set_language

    set_language("pt_BR")
    try:
        tab = _tab(qtbot)
        price = tab.advanced.machine_price
        labels = [w.text() for w in tab.advanced.findChildren(QLabel)]
        assert "Custo da máquina:" in labels and price.per_hour.text() == "por hora"
        assert price.price.text() == "não contado"
        assert price.currency.itemText(price.currency.findData("BRL")) == "BRL — Real brasileiro"
        assert "uma hora desta máquina" in price.price.toolTip()
    finally:
        set_language(None)
