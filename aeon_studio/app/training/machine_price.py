"""What an hour of this machine costs, in the Training tab's Advanced box: the ``machine_hourly_price`` and
``machine_currency`` settings (the ones ``aeon-studio settings set`` changes).

A change is saved at once through :func:`aeon_studio.core.settings.change`, the same check as the CLI's; each run
records the price when it is created and its summary shows what it cost (:mod:`aeon_studio.core.training.cost`).
The currency list (Babel's CLDR data: the codes in use today, named in the app's language) is built the first time
the box is shown, so the app does not load it at start.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from aeon_studio.app.evaluation.numbers import locale
from aeon_studio.core.errors import ValidationError
from aeon_studio.core.i18n import _, current_language


def currencies() -> list[tuple[str, str]]:
    """``(code, "CODE — name")`` of every currency some country uses today, by code, named in the app's language."""
    from datetime import date

    from babel import Locale
    from babel.core import UnknownLocaleError
    from babel.numbers import get_currency_name, get_territory_currencies

    lang = current_language() or "en"
    codes: set[str] = set()
    for territory in Locale("en").territories:
        codes.update(get_territory_currencies(territory, date.today()))
    try:
        names = {c: get_currency_name(c, locale=lang) for c in codes}
    except (UnknownLocaleError, ValueError):  # a tag CLDR does not know ("C"): English names
        names = {c: get_currency_name(c, locale="en") for c in codes}
    return [(c, f"{c} — {names[c]}") for c in sorted(codes)]


class MachinePrice(QWidget):
    """The hourly price (0: no cost shown) and its currency; ``saved`` is emitted after a change is stored."""

    saved = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        what = _("What an hour of this machine costs (a rented GPU box, electricity). Saved at once for all new "
                 "runs: each run's summary shows its estimated cost (duration × price). 0: no cost shown.")
        self.price = QDoubleSpinBox()
        self.price.setDecimals(2)
        self.price.setRange(0.0, 1_000_000.0)
        self.price.setSingleStep(0.10)
        self.price.setLocale(locale())  # decimals as the app's language writes them
        self.price.setKeyboardTracking(False)  # saved when typing ends (Enter, focus out), not at every digit
        self.price.setSpecialValueText(_("not counted"))
        self.price.setToolTip(what)
        self.currency = QComboBox()
        self.currency.setToolTip(_("The currency of the price."))
        # as wide as a code and a short name: a long name is cut in the box, not the whole form widened
        self.currency.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.currency.setMinimumContentsLength(14)
        self.per_hour = QLabel(_("an hour"))
        self.error = QLabel()
        self.error.setProperty("tone", "error")
        self.error.setWordWrap(True)
        self.error.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.price, 1)
        row.addWidget(self.currency, 2)
        row.addWidget(self.per_hour)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.error)
        self._listed = False
        self.load()
        self.price.valueChanged.connect(lambda v: self._save(machine_hourly_price=v))
        self.currency.currentIndexChanged.connect(
            lambda _i: self._save(machine_currency=self.currency.currentData()))

    def load(self) -> None:
        """Show the saved price and currency (the currency list itself comes when the widget is first shown)."""
        from aeon_studio.core.settings import get_settings

        s = get_settings()
        for w in (self.price, self.currency):
            w.blockSignals(True)
        self.price.setValue(float(s.machine_hourly_price))
        if self.currency.findData(s.machine_currency) < 0:
            self.currency.addItem(s.machine_currency, s.machine_currency)
        self.currency.setCurrentIndex(self.currency.findData(s.machine_currency))
        for w in (self.price, self.currency):
            w.blockSignals(False)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if not self._listed:
            self._listed = True
            self.currency.blockSignals(True)
            self.currency.clear()
            for code, label in currencies():
                self.currency.addItem(label, code)
            self.currency.blockSignals(False)
            self.load()  # selects the saved code (kept as it is when the list does not have it)

    def _save(self, **values: object) -> None:
        from aeon_studio.core.settings import change

        try:
            change(**values)
        except ValidationError as exc:  # the widgets keep to the limits; the settings model has the last word
            self.error.setText(exc.message)
            self.error.show()
            self.load()  # back to what is saved: nothing half-stored
            return
        env = [f"AEON_STUDIO_{k.upper()}" for k in values if f"AEON_STUDIO_{k.upper()}" in os.environ]
        self.error.setText(_("Note: {env} is set in the environment, and it wins over the saved value.").format(
            env=env[0]) if env else "")
        self.error.setVisible(bool(env))
        self.saved.emit()
