"""The "Automatic retraining" dialog (Training tab): a persona's schedule, what it is waiting for, why it
stopped if it did, and what the last run did for each domain (an adapter of its own, or why not). Values are
checked and stored by the core (:func:`~aeon_studio.core.training.schedule.update_schedule`, the same as
``aeon-studio schedule set``); nothing is stored when one is wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QSpinBox, QTimeEdit, QVBoxLayout, QWidget)

from aeon_studio.core.i18n import _, ngettext


def _spin(lo: int, hi: int, *, days: bool = False) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setMinimumWidth(90)
    if days:  # "1 day", "7 days": the suffix follows the number
        box.valueChanged.connect(lambda v: box.setSuffix(" " + ngettext("day", "days", v)))
        box.setSuffix(" " + ngettext("day", "days", box.value()))
    return box


class ScheduleDialog(QDialog):
    """Edit one persona's schedule; the persona picker switches between them (unsaved changes are dropped)."""

    def __init__(self, ctx, parent: QWidget | None = None, *, persona: str | None = None) -> None:
        from aeon_studio.core.personas import PersonaStore

        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Automatic retraining"))
        lay = QVBoxLayout(self)
        intro = QLabel(_("Aeon can retrain a persona by itself once you have rated enough new replies. It waits "
                         "until you are away, and it keeps a new version only if it does better than the current "
                         "one on your golden prompts (the test questions of the Evaluation tab)."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        lay.addLayout(form)
        self.persona = QComboBox()
        for p in PersonaStore(ctx.db).list():
            self.persona.addItem(p.name, p.key)
        form.addRow(_("Persona:"), self.persona)
        self.enabled = QCheckBox(_("Retrain this persona automatically"))
        form.addRow("", self.enabled)
        self.min_new_ratings = _spin(1, 100_000)
        form.addRow(_("After this many new ratings:"), self.min_new_ratings)
        self.interval_days = _spin(1, 365, days=True)
        form.addRow(_("Or after, with at least one new rating:"), self.interval_days)
        self.data_days = _spin(1, 3650, days=True)
        form.addRow(_("Learn from the chats of the last:"), self.data_days)
        self.min_examples = _spin(1, 100_000)
        self.min_examples.setToolTip(_("A domain (technical, support, legal, your own) with at least this many "
                                       "examples also gets an adapter of its own, used when “Route by domain” is "
                                       "on for the persona."))
        form.addRow(_("Do not train on fewer examples than:"), self.min_examples)
        hours = QHBoxLayout()
        self.use_hours = QCheckBox(_("Only start between"))
        self.start = QTimeEdit()
        self.end = QTimeEdit()
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.use_hours.toggled.connect(self.start.setEnabled)
        self.use_hours.toggled.connect(self.end.setEnabled)
        hours.addWidget(self.use_hours)
        hours.addWidget(self.start)
        hours.addWidget(QLabel(_("and")))
        hours.addWidget(self.end)
        hours.addStretch(1)
        form.addRow(_("When:"), hours)
        self.only_idle = QCheckBox(_("Only when the computer is not busy"))
        form.addRow("", self.only_idle)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setProperty("tone", "muted")
        lay.addWidget(self.status)
        self.domains = QLabel()
        self.domains.setWordWrap(True)
        self.domains.setTextInteractionFlags(self.domains.textInteractionFlags()
                                             | Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.domains)
        self.stopped = QLabel()
        self.stopped.setWordWrap(True)
        self.stopped.setProperty("tone", "warning-box")
        lay.addWidget(self.stopped)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.persona.currentIndexChanged.connect(lambda _i: self.load())
        index = self.persona.findData(persona or ctx.settings.default_persona)
        self.persona.setCurrentIndex(max(0, index))
        self.load()
        # never narrower than its rows need: a fixed 560 cut "Só começar entre" and the checkboxes in pt_BR
        # when the dialog is made as narrow as it goes (by hand, or a window manager on a small screen)
        self.setMinimumWidth(max(560, lay.minimumSize().width()))

    def key(self) -> str:
        return str(self.persona.currentData())

    def load(self) -> None:
        """Fill the fields from the persona's stored schedule and say what it waits for."""
        from aeon_studio.app.evaluation import numbers
        from aeon_studio.core.errors import AeonError
        from aeon_studio.core.training.schedule import check_due, get_schedule

        try:
            s = get_schedule(self.key())
            check = check_due(self.key(), self.ctx.db, busy=False)
        except AeonError as err:  # a broken schedule file: say where, keep the defaults on screen
            self.status.setText(str(err))
            self.stopped.hide()
            self.domains.hide()
            return
        self.enabled.setChecked(s.enabled)
        self.min_new_ratings.setValue(s.min_new_ratings)
        self.interval_days.setValue(s.interval_days)
        self.data_days.setValue(s.data_days)
        self.min_examples.setValue(s.min_examples_per_domain)
        self.use_hours.setChecked(bool(s.quiet_hours))
        a, _sep, b = (s.quiet_hours or "01:00-06:00").partition("-")
        self.start.setTime(QTime.fromString(a.strip(), "H:mm"))
        self.end.setTime(QTime.fromString(b.strip(), "H:mm"))
        self.start.setEnabled(self.use_hours.isChecked())
        self.end.setEnabled(self.use_hours.isChecked())
        self.only_idle.setChecked(s.only_when_idle)
        # the CLI's reasons name commands; here the box above is the way to turn it on
        lines = {"disabled": [_("Off: tick “Retrain this persona automatically” and save to turn it on.")],
                 "stopped": []}.get(check.code, [check.reason])
        if check.due_at is not None and check.code == "not_due":
            when = numbers.when(check.due_at)
            lines.append(_("Next run around {when}, or sooner with more ratings.").format(when=when))
        if s.last_message:
            lines.append(_("Last time: {what}").format(what=s.last_message))
        self.status.setText("\n".join(lines))
        self.stopped.setText(_("It stopped trying: {why}\nSave with the box above ticked to try again.").format(
            why=s.stopped_reason) if s.stopped else "")
        self.stopped.setVisible(s.stopped)
        self.status.setVisible(bool(lines))
        self._show_domains(s.domains)
        self.adjustSize()  # the warning comes and goes with the persona

    def _show_domains(self, domains) -> None:
        """The last run's outcome per domain ("Technical — now in use: …", "Legal — skipped: Only 3 …")."""
        from aeon_studio.core.training.schedule_domains import result_lines

        lines = result_lines(domains)
        text = "\n".join([_("Last run, per domain:")] + ["• " + line for line in lines])
        self.domains.setText(text if lines else "")
        self.domains.setVisible(bool(lines))

    def values(self) -> dict[str, object]:
        hours = ""
        if self.use_hours.isChecked():
            hours = f"{self.start.time().toString('HH:mm')}-{self.end.time().toString('HH:mm')}"
        return {"enabled": self.enabled.isChecked(), "min_new_ratings": self.min_new_ratings.value(),
                "interval_days": self.interval_days.value(), "data_days": self.data_days.value(),
                "min_examples_per_domain": self.min_examples.value(), "quiet_hours": hours,
                "only_when_idle": self.only_idle.isChecked()}

    def save(self) -> None:
        from aeon_studio.app.shared.errors import show_error
        from aeon_studio.core.errors import AeonError
        from aeon_studio.core.training.schedule import update_schedule

        try:
            update_schedule(self.key(), **self.values())
        except AeonError as err:
            show_error(self, _("Cannot save the schedule"), err)
            return
        self.accept()
