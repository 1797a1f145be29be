"""Training tab form pieces: editable pickers (datasets, base models) and the collapsible Advanced box."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QGridLayout, QGroupBox, QLabel, QSpinBox, QVBoxLayout,
                               QWidget)

from aeon_studio.app.evaluation.numbers import locale
from aeon_studio.app.training.machine_price import MachinePrice
from aeon_studio.core.i18n import N_, _, ngettext


class ValueCombo(QComboBox):
    """Editable combo whose items show a label but stand for a value; free text (a path) is taken as typed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)

    def set_choices(self, choices: list[tuple[str, str, str]]) -> None:
        """Replace the items by ``(label, value, tooltip)`` and keep what was chosen or typed (the first item
        when nothing was)."""
        prev = self.value()
        self.blockSignals(True)
        self.clear()
        for label, value, tip in choices:
            self.addItem(label, value)
            if tip:
                self.setItemData(self.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.blockSignals(False)
        if prev or not self.count():
            self.set_value(prev)
        else:
            self.setCurrentIndex(0)  # nothing chosen yet: offer the first item

    def value(self) -> str:
        """The chosen item's value, or the typed text."""
        i, text = self.currentIndex(), self.currentText().strip()
        if i >= 0 and text == self.itemText(i):
            return str(self.itemData(i))
        return text

    def set_value(self, value: str) -> None:
        i = self.findData(value)
        self.setCurrentIndex(i)
        if i < 0:
            self.setEditText(value)


def dataset_choices(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Combo items for the rows of ``DatasetStore.list()``: name with its example (and pair) count."""
    out = []
    for r in rows:
        n = r.get("examples", 0)
        count = ngettext("{n} example", "{n} examples", n).format(n=n)
        if r.get("pairs"):
            count += ", " + ngettext("{n} pair", "{n} pairs", r["pairs"]).format(n=r["pairs"])
        out.append((f"{r['name']}  ({count})", r["name"], r.get("description") or ""))
    return out


def model_choices(models: list[Any]) -> list[tuple[str, str, str]]:
    """Combo items for ``ModelRegistry.list()``: the id (what the run records) with the model's name."""
    return [(f"{m.id}  ({m.name})" if m.name and m.name != m.id else m.id, m.id, str(m.path or m.description))
            for m in models]


def preset_values(preset: str) -> dict[str, Any]:
    """The spec's defaults with the preset applied (what ``make_spec`` uses when nothing is overridden)."""
    from aeon_studio.core.training.spec import PRESETS, TrainingSpec

    values = {k: f.default for k, f in TrainingSpec.model_fields.items() if f.default is not None}
    values.update(PRESETS.get(preset, {}))
    return values


class AdvancedSettings(QGroupBox):
    """Checkable "Advanced" box, collapsed by default. Checked, its values override the preset's
    (the same keyword overrides ``aeon-studio train`` passes to ``runs.create_run``)."""

    BACKENDS = (("auto", N_("Auto (Unsloth with a CUDA GPU, else PEFT)")), ("peft", N_("PEFT (CPU or GPU)")),
                ("unsloth", N_("Unsloth (CUDA GPU, 4-bit)")))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Advanced"), parent)
        self.setCheckable(True)
        self.setChecked(False)
        self.body = QWidget()
        grid = QGridLayout(self.body)
        grid.setContentsMargins(0, 0, 0, 0)
        self.backend = QComboBox()
        for key, label in self.BACKENDS:
            self.backend.addItem(_(label), key)
        self.epochs = self._spin(1, 100)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(0.00001, 0.5)
        self.lr.setSingleStep(0.0001)
        self.rank = self._spin(1, 256)
        self.alpha = self._spin(1, 1024)
        self.dropout = QDoubleSpinBox()
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.05)
        for spin in (self.lr, self.dropout):  # decimals as the app's language writes them, not the system's
            spin.setLocale(locale())
        self.batch_size = self._spin(1, 256)
        self.max_seq_len = self._spin(16, 32768, step=64)
        self.max_steps = self._spin(0, 1_000_000, step=10)
        self.max_steps.setSpecialValueText(_("epochs decide"))
        self.eval_pct = self._spin(0, 50, step=5)
        self.eval_pct.setSuffix(" %")
        self.eval_pct.setToolTip(_("Share of the examples kept out of training to check the model on questions "
                                   "it has not seen (0: none)."))
        grid.addWidget(QLabel(_("Backend:")), 0, 0)
        grid.addWidget(self.backend, 0, 1, 1, 3)
        fields = [(_("Epochs:"), self.epochs), (_("Learning rate:"), self.lr), (_("LoRA rank:"), self.rank),
                  (_("LoRA alpha:"), self.alpha), (_("Batch size:"), self.batch_size),
                  (_("Max seq. length:"), self.max_seq_len), (_("Max steps:"), self.max_steps),
                  (_("Dropout:"), self.dropout), (_("Held out:"), self.eval_pct)]
        for i, (label, widget) in enumerate(fields):
            row, col = 1 + i // 2, (i % 2) * 2
            grid.addWidget(QLabel(label), row, col)
            grid.addWidget(widget, row, col + 1)
        # not a per-run override like the fields above: a setting, saved as soon as it is changed
        self.machine_price = MachinePrice()
        row = 2 + (len(fields) - 1) // 2
        grid.addWidget(QLabel(_("Machine cost:")), row, 0)
        grid.addWidget(self.machine_price, row, 1, 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.body)
        self.toggled.connect(self._expand)
        self._expand(False)
        self.fill("quick")

    def _expand(self, on: bool) -> None:
        """Collapsed (unchecked) it is only its title: no empty frame."""
        self.body.setVisible(on)
        self.setFlat(not on)
        self.layout().setContentsMargins(*(((9, 9, 9, 9)) if on else (0, 0, 0, 0)))
        self.setMaximumHeight(16777215 if on else self.fontMetrics().height() + 6)

    @staticmethod
    def _spin(lo: int, hi: int, step: int = 1) -> QSpinBox:
        s = QSpinBox()
        s.setRange(lo, hi)
        s.setSingleStep(step)
        return s

    def fill(self, preset: str) -> None:
        """Show the values ``preset`` trains with."""
        v = preset_values(preset)
        self.epochs.setValue(int(v["epochs"]))
        self.lr.setValue(float(v["lr"]))
        self.rank.setValue(int(v["rank"]))
        self.alpha.setValue(int(v["alpha"]))
        self.dropout.setValue(float(v["dropout"]))
        self.batch_size.setValue(int(v["batch_size"]))
        self.max_seq_len.setValue(int(v["max_seq_len"]))
        self.max_steps.setValue(int(v["max_steps"]))
        self.eval_pct.setValue(int(round(float(v["eval_fraction"]) * 100)))

    def overrides(self) -> dict[str, Any]:
        """Keyword overrides for ``runs.create_run``; empty while the box is unchecked (the preset decides)."""
        if not self.isChecked():
            return {}
        return {"backend": self.backend.currentData(), "epochs": self.epochs.value(), "lr": self.lr.value(),
                "rank": self.rank.value(), "alpha": self.alpha.value(), "dropout": self.dropout.value(),
                "batch_size": self.batch_size.value(), "max_seq_len": self.max_seq_len.value(),
                "max_steps": self.max_steps.value(), "eval_fraction": self.eval_pct.value() / 100}
