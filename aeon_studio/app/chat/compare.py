"""Compare: the blind A/B arena in the chat. Two models answer one prompt side by side as A and B; one click
votes, then the dialog reveals which model wrote which; the arena standings are below.

The work is :mod:`aeon_studio.core.evaluation.arena`; generation runs in an :class:`AskJob` thread with Stop.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QPlainTextEdit, QPushButton, QScrollArea, QTableView, QVBoxLayout, QWidget)

from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.shared.table_model import Column, TableModel
from aeon_studio.core.i18n import N_, _

log = logging.getLogger(__name__)


def model_name(ref: str) -> str:
    """How a model reference reads in the dialog."""
    return _("Base model") if ref == "base" else _("Version {name}").format(name=ref)


class StandingsModel(TableModel):
    """Arena standings (:class:`~aeon_studio.core.evaluation.arena.Standing` rows)."""

    columns = (
        Column(N_("Model"), lambda st: model_name(st.model)),
        Column(N_("Wins"), lambda st: st.wins, numeric=True),
        Column(N_("Losses"), lambda st: st.losses, numeric=True),
        Column(N_("Ties"), lambda st: st.ties, numeric=True),
        Column(N_("Both bad"), lambda st: st.both_bad, numeric=True),
        Column(N_("Win rate"), lambda st: f"{st.win_rate:.0%}" if st.win_rate is not None else "—", numeric=True,
               tooltip=lambda _st: _("A tie counts as half a win.")),
        Column(N_("Score (95 % interval)"), lambda st: f"{st.score:.0f} ({st.low:.0f}–{st.high:.0f})",
               numeric=True,
               tooltip=lambda _st: _("Bradley–Terry score on the Elo scale: 1000 is average, 400 points more "
                                     "means 10 to 1 odds of being preferred.")),
    )


class AskJob(QThread):
    """Runs :func:`arena.ask` off the UI thread; ``stop()`` ends it between tokens (nothing is stored).

    Exactly one of ``succeeded(match)`` / ``failed(exc)`` is emitted.
    """

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, ask: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ask = ask
        self.stop_event = threading.Event()

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:  # noqa: D401 - Qt name
        try:
            match = self._ask(self.stop_event.is_set)
        except Exception as exc:  # reaches the user through show_error
            log.info("arena ask ended: %s", exc)
            self.failed.emit(exc)
            return
        self.succeeded.emit(match)


class ReplyPanel(QFrame):
    """One anonymised reply ("A" or "B") and the button that votes for it."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("bubble_assistant")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        self.title = QLabel(label, self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        lay.addWidget(self.title)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # A long reply scrolls inside its panel instead of growing the dialog past the screen.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.viewport().setAutoFillBackground(False)
        scroll.setWidget(self.text)
        self.text.setAutoFillBackground(False)  # setWidget turned it on: the panel's colour shows through
        scroll.setMinimumWidth(300)
        lay.addWidget(scroll, 1)
        self.reveal = QLabel(self)
        self.reveal.setProperty("tone", "muted")
        lay.addWidget(self.reveal)
        self.vote_button = QPushButton(_("{label} is better").format(label=label), self)
        lay.addWidget(self.vote_button)


class CompareDialog(QDialog):
    """Blind A/B comparison for one persona: pick two models, ask, vote, see who was who."""

    voted = Signal(object)  # the revealed ArenaMatch

    def __init__(self, ctx: AppContext, persona_key: str, prompt: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.persona_key = ctx, persona_key
        self.job: AskJob | None = None
        self.match = None
        self.setWindowTitle(_("Compare two models"))
        self.resize(900, 640)
        lay = QVBoxLayout(self)
        intro = QLabel(_("Both models answer the same prompt. Their replies are shown as A and B in random "
                         "order; vote for the better one, then see which model wrote which."), self)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.prompt = QPlainTextEdit(prompt, self)
        self.prompt.setPlaceholderText(_("The question both models answer"))
        self.prompt.setFixedHeight(64)
        lay.addWidget(self.prompt)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Compare"), self))
        self.first_combo, self.second_combo = QComboBox(self), QComboBox(self)
        row.addWidget(self.first_combo)
        row.addWidget(QLabel(_("with"), self))
        row.addWidget(self.second_combo)
        row.addStretch(1)
        self.status = QLabel(self)
        self.status.setProperty("tone", "muted")
        row.addWidget(self.status)
        self.ask_button = QPushButton(_("Ask both"), self)
        self.ask_button.setDefault(True)
        self.stop_button = QPushButton(_("Stop"), self)
        self.stop_button.setEnabled(False)
        self.ask_button.clicked.connect(self.ask)
        self.stop_button.clicked.connect(self.stop)
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)
        lay.addLayout(row)

        grid = QGridLayout()
        self.panels = (ReplyPanel("A", self), ReplyPanel("B", self))
        for col, panel in enumerate(self.panels):
            grid.addWidget(panel, 0, col)
            panel.vote_button.clicked.connect(lambda _c=False, choice="ab"[col]: self.vote(choice))
        lay.addLayout(grid, 1)
        votes = QHBoxLayout()
        votes.addStretch(1)
        self.tie_button = QPushButton(_("Tie"), self)
        self.both_bad_button = QPushButton(_("Both bad"), self)
        self.tie_button.clicked.connect(lambda: self.vote("tie"))
        self.both_bad_button.clicked.connect(lambda: self.vote("both-bad"))
        votes.addWidget(self.tie_button)
        votes.addWidget(self.both_bad_button)
        votes.addStretch(1)
        lay.addLayout(votes)
        self.result = QLabel(self)
        self.result.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.result)

        self.standings_title = QLabel(self)
        lay.addWidget(self.standings_title)
        self.standings = StandingsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.standings)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMaximumHeight(150)
        lay.addWidget(self.table)
        close = QPushButton(_("Close"), self)
        close.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        lay.addLayout(bottom)
        self._fill_choices()
        self._show_match(None)
        self.refresh_standings()

    # -- models --------------------------------------------------------------------
    def _fill_choices(self) -> None:
        from aeon_studio.core.evaluation.arena import ANSWERING
        from aeon_studio.core.export.adapters import list_adapters

        choices = [(_("Active version"), "active"), (_("Base model"), "base")]
        bound = False
        try:
            from aeon_studio.core.personas import PersonaStore

            bound = PersonaStore(self.ctx.db).get(self.persona_key).adapter_id is not None
            choices += [(_("Version {name}").format(name=a.name if a.name == a.id else f"{a.name} ({a.id})"), a.id)
                        for a in list_adapters(self.ctx.db) if a.status in ANSWERING]
        except Exception:  # the two defaults still work; the log keeps why
            log.warning("could not list adapters for Compare", exc_info=True)
        # The active version against the base model; without an active adapter, the newest one instead.
        first = "active" if bound or len(choices) == 2 else choices[2][1]
        for combo, default in ((self.first_combo, first), (self.second_combo, "base")):
            for text, ref in choices:
                combo.addItem(text, ref)
            combo.setCurrentIndex(max(0, combo.findData(default)))

    # -- asking --------------------------------------------------------------------
    def ask(self) -> None:
        if self.job is not None:
            return
        from aeon_studio.core.evaluation import arena

        prompt = self.prompt.toPlainText()
        a, b = self.first_combo.currentData(), self.second_combo.currentData()
        db, persona = self.ctx.db, self.persona_key

        def run(should_stop):
            return arena.ask(prompt, a, b, persona_key=persona, db=db, should_stop=should_stop)

        self._show_match(None)
        self.status.setText(_("Both models are writing…"))
        self.ask_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        job = AskJob(run, self)
        job.succeeded.connect(self._asked)
        job.failed.connect(self._ask_failed)
        self.job = job
        job.start()

    def stop(self) -> None:
        if self.job is not None:
            self.job.stop()

    def _end_job(self) -> None:
        if self.job is not None:
            self.job.wait(5000)
            self.job.deleteLater()
        self.job = None
        self.status.setText("")
        self.ask_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    def _asked(self, match) -> None:
        self._end_job()
        self._show_match(match)

    def _ask_failed(self, exc) -> None:
        from aeon_studio.core.evaluation.arena import ArenaCancelled

        self._end_job()
        if isinstance(exc, ArenaCancelled):
            self.status.setText(str(exc))
        else:
            show_error(self, _("Could not compare the models"), exc)

    # -- showing and voting ----------------------------------------------------------
    def _show_match(self, match) -> None:
        """The replies of ``match`` (None: empty), anonymised until it has a vote."""
        self.match = match
        replies = (match.reply_a, match.reply_b) if match is not None else ("", "")
        for panel, text in zip(self.panels, replies):
            panel.text.setText(text if match is None or text else _("(empty reply)"))
            panel.reveal.setText("")
            panel.vote_button.setEnabled(match is not None and match.vote is None)
        for button in (self.tie_button, self.both_bad_button):
            button.setEnabled(match is not None and match.vote is None)
        self.result.setText("")
        if match is not None and match.vote is not None:
            self._reveal(match)

    def _reveal(self, match) -> None:
        for panel, ref in zip(self.panels, (match.model_a, match.model_b)):
            panel.reveal.setText(_("Written by: {model}").format(model=model_name(ref)))
            panel.vote_button.setEnabled(False)
        for button in (self.tie_button, self.both_bad_button):
            button.setEnabled(False)
        best = {"a": match.model_a, "b": match.model_b}.get(match.vote)
        if best is not None:
            from aeon_studio.core.evaluation.arena import arena_dataset

            self.result.setText(_("You preferred: {model}. The pair was added to dataset '{name}' for training.")
                                .format(model=model_name(best), name=arena_dataset(match.persona_key)))
        else:
            self.result.setText(_("Tie: no preference stored.") if match.vote == "tie"
                                else _("Both bad: no preference stored."))

    def vote(self, choice: str) -> None:
        if self.match is None or self.match.vote is not None:
            return
        from aeon_studio.core.evaluation.arena import vote

        try:
            match = vote(self.match.id, choice, self.ctx.db)
        except Exception as exc:
            show_error(self, _("Could not save the vote"), exc)
            return
        self._show_match(match)
        self.refresh_standings()
        self.voted.emit(match)

    def refresh_standings(self) -> None:
        from aeon_studio.core.evaluation.arena import stats

        try:
            rows = stats(self.ctx.db, persona_key=self.persona_key)
        except Exception as exc:
            log.warning("could not read the arena standings: %s", exc)
            rows = []
        self.standings.set_rows(rows)
        persona = self.persona_name()
        self.standings_title.setText(_("Standings for persona '{persona}'").format(persona=persona)
                                     if rows else _("No votes yet for persona '{persona}'.").format(
                                         persona=persona))

    def persona_name(self) -> str:
        """The persona's name as the user gave it (its key only when it cannot be read)."""
        from aeon_studio.core.personas import PersonaStore

        try:
            return PersonaStore(self.ctx.db).get(self.persona_key).name
        except Exception:  # noqa: BLE001 - a title must not break the dialog; the key still says which
            return self.persona_key

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.job is not None:
            self.job.stop()
            self._end_job()
        super().closeEvent(event)


def open_compare(tab, reply_id: int | None = None) -> CompareDialog:
    """Open Compare from the chat tab, on the question that reply ``reply_id`` answered (if given)."""
    prompt = ""
    persona = tab.persona_combo.currentData() or tab.ctx.settings.default_persona
    if reply_id is not None:
        try:
            reply = tab.service.store.get_message(reply_id)
            persona = tab.service.store.get_conversation(reply.conversation_id).persona_key or persona
            asked = [m for m in tab.service.history(reply.conversation_id, before_message_id=reply_id)
                     if m["role"] == "user"]
            prompt = asked[-1]["content"] if asked else ""
        except Exception:  # the dialog still opens; the user types the prompt
            log.warning("could not read the question of reply %s", reply_id, exc_info=True)
    dlg = CompareDialog(tab.ctx, persona, prompt, tab)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.open()
    return dlg
