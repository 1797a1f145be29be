"""Chat-tab extension: a **Retrain** button (build a dataset from rated chats, start a quick run for the
current persona) and a "suggest retrain" hint after ``retrain_hint_every`` new rated replies."""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox, QPushButton

from ..core.i18n import _, ngettext

log = logging.getLogger(__name__)


def ratings_since_last_run(db) -> int:
    """Rated replies created after the last training run started (all of them when there is none)."""
    from sqlmodel import func, select

    from ..core.storage.tables import Rating
    from ..core.storage.training_tables import TrainingRun

    with db.session() as s:
        last = s.exec(select(func.max(TrainingRun.created_at))).one()
        q = select(func.count()).select_from(Rating)
        if last is not None:
            q = q.where(Rating.updated_at > last)
        return int(s.exec(q).one())


def latest_identity_set(store) -> str | None:
    """Name of the most recently updated dataset of kind ``identity`` (built by ``build_identity``), or None."""
    sets = [d for d in store.list() if d.get("kind") == "identity" and d.get("examples")]
    if not sets:
        return None
    return max(sets, key=lambda d: d["updated_at"])["name"]


def build_retrain_rows(persona_key: str | None, db) -> tuple[str, list[dict]]:
    """The dataset for a one-click retrain, from the database ``db``.

    Rebuilds ``retrain-<persona>`` from the chats (replies rated ≥ 4 and the user's corrections), then adds the
    train examples of the identity set (the most recently updated one, if any) and of the datasets the persona
    names, without duplicates (by content hash).

    Returns:
        ``(dataset name, [{"messages": [...]}, …])``.

    Raises:
        DatasetError: nothing to train on, or the persona names a dataset that no longer exists.
    """
    from ..core.datasets import DatasetStore
    from ..core.datasets.records import content_hash
    from ..core.datasets.errors import DatasetError
    from ..core.personas import PersonaStore

    store = DatasetStore(db)
    name = f"retrain-{persona_key or 'default'}"
    store.build_from_chats(name, min_likert=4)
    sources = [name]
    identity = latest_identity_set(store)
    if identity:
        sources.append(identity)
    if persona_key:
        for extra in PersonaStore(db).get(persona_key).datasets:
            if not store.exists(extra):
                raise DatasetError(
                    _("Persona '{persona}' names the training dataset '{name}', which does not exist.").format(
                        persona=persona_key, name=extra),
                    hint=_("Remove it from the persona's training datasets (Personas tab, or 'aeon-studio personas "
                           "edit {persona} --datasets …'), or create it again.").format(persona=persona_key))
            sources.append(extra)
    rows: list[dict] = []
    seen: set[str] = set()
    for source in sources:
        for ex in store.examples(source, split="train"):
            h = content_hash(ex["messages"])
            if h not in seen:
                seen.add(h)
                rows.append(ex)
    if not rows:
        raise DatasetError(
            _("There is nothing to retrain on yet: no reply is rated 4 or 5 stars, there are no corrections, "
              "and no identity set or persona dataset has examples."),
            hint=_("Rate some replies 4 or 5 stars, or define an identity set, before retraining."))
    log.info("retrain %s: %d examples from %s", name, len(rows), ", ".join(sources))
    return name, rows


class Retrain:
    def __init__(self, window) -> None:
        self.window = window
        self.ctx = window.ctx
        self.button = QPushButton(_("Retrain"))
        self.button.setToolTip(_("Fine-tune the current persona on your well-rated replies (quick preset)."))
        self.button.clicked.connect(self.retrain)
        self.timer = QTimer(self.button)
        self.timer.setInterval(20000)
        self.timer.timeout.connect(self.update_hint)
        self.timer.start()
        self._running = False
        self.update_hint()

    def persona_key(self) -> str | None:
        chat = self.window._tab_widgets.get("ChatTab")
        combo = getattr(chat, "persona_combo", None)
        if combo is not None and combo.currentData():
            return str(combo.currentData())
        for attr in ("persona_key", "current_persona_key"):
            val = getattr(chat, attr, None)
            val = val() if callable(val) else val
            if val:
                return str(val)
        return None

    def update_hint(self) -> None:
        if self._running:
            return  # the button shows the run's progress
        try:
            n = ratings_since_last_run(self.ctx.db)
        except Exception:  # noqa: BLE001 - never break the chat over a hint
            log.exception("retrain hint")
            return
        every = max(1, self.ctx.settings.retrain_hint_every)
        if n >= every:
            self.button.setText(ngettext("Retrain ({n} new rating)", "Retrain ({n} new ratings)", n).format(n=n))
            self.button.setStyleSheet("font-weight: bold;")
        else:
            self.button.setText(_("Retrain"))
            self.button.setStyleSheet("")

    def retrain(self) -> None:
        from ..core.training import runs
        from .main_window import show_error

        tab = self.window._tab_widgets.get("TrainingTab")
        key = self.persona_key()
        try:
            name, rows = build_retrain_rows(key, self.ctx.db)
            row = runs.create_run(rows=rows, dataset_name=name, preset="quick", persona_key=key, db=self.ctx.db)
        except Exception as err:  # noqa: BLE001
            show_error(self.window, _("Cannot retrain"), err)
            return
        if tab is None:
            return
        tab.run_finished.connect(self._finished)
        tab.process.event.connect(self._on_event)
        self._running = True
        tab.start_run(row.id)
        self.button.setEnabled(False)
        self.button.setText(_("Retraining…"))

    def _on_event(self, ev: dict) -> None:
        """Progress on the button itself: the chat stays usable and the user sees how far the run is."""
        from .widgets.training_log import fmt_duration

        tab = self.window._tab_widgets.get("TrainingTab")
        total = getattr(tab, "total", 0)
        if ev.get("event") == "step" and total:
            pct = min(100, int(100 * int(ev.get("step") or 0) / total))
            eta = fmt_duration(ev.get("eta_s"))
            self.button.setText(_("Retraining… {p}% · {eta} left").format(p=pct, eta=eta) if eta
                                else _("Retraining… {p}%").format(p=pct))

    def _finished(self, run_id: str, status: str) -> None:
        from ..core.training import runs

        tab = self.window._tab_widgets.get("TrainingTab")
        for signal, slot in ((tab.run_finished, self._finished), (tab.process.event, self._on_event)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._running = False
        self.button.setEnabled(True)
        self.update_hint()
        row = runs.get_run(run_id, self.ctx.db)
        if status != "done" or not row.adapter_id or not row.persona_key:
            return
        ok = QMessageBox.question(self.window, _("Retraining done"), _(
            "The new adapter {a} is ready (loss {l0:.2f} → {l1:.2f}). Use it for persona '{p}' in chat?").format(
            a=row.adapter_id, l0=row.metrics.get("first_loss") or 0, l1=row.metrics.get("final_loss") or 0,
            p=row.persona_key))
        if ok == QMessageBox.StandardButton.Yes:
            try:
                from ..core.export.adapters import activate

                activate(row.adapter_id, row.persona_key)
            except Exception as err:  # noqa: BLE001
                from .main_window import show_error

                show_error(self.window, _("Cannot use the adapter"), err)


def install(window) -> Retrain | None:
    chat = window._tab_widgets.get("ChatTab")
    layout = getattr(chat, "toolbar_layout", None)
    if layout is None:
        log.warning("ChatTab has no toolbar_layout; the Retrain button is not added")
        return None
    r = Retrain(window)
    layout.addWidget(r.button)
    window.retrain = r
    return r
