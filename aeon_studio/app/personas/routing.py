"""The Personas tab's "Route by domain" box: route each message to the persona's adapter for its domain.

Widgets only: the domains come from :mod:`aeon_studio.core.domains`, the adapters from
:mod:`aeon_studio.core.export.adapters`; the map is stored with the persona (``route_by_domain``,
``domain_adapters``) when the persona is saved.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from aeon_studio.core.errors import AeonError
from aeon_studio.core.i18n import _

log = logging.getLogger(__name__)


class RoutingBox(QGroupBox):
    """Route by domain on/off and one adapter choice per domain."""

    COLUMNS = 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Route by domain"), parent)
        lay = QVBoxLayout(self)
        self.enabled = QCheckBox(_("Answer each message with the adapter for its domain (technical, support, legal…)"), self)
        self.enabled.setToolTip(_("Each message you send is sorted into a domain by its words; the persona then "
                                  "answers with the adapter chosen for that domain below. Without one: the "
                                  "adapter for 'general', then the persona's own adapter, then the plain model. "
                                  "Switching adapters does not reload the model."))
        lay.addWidget(self.enabled)
        self.grid = QGridLayout()
        lay.addLayout(self.grid)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setProperty("tone", "muted")
        lay.addWidget(self.hint)
        self.combos: dict[str, QComboBox] = {}
        self.enabled.toggled.connect(self._sync)

    def _adapters(self, db, persona_key: str | None) -> list[tuple[str, str]]:
        try:
            from aeon_studio.core.export.adapters import USABLE, list_adapters

            rows = [a for a in list_adapters(db) if a.status in USABLE]
        except AeonError:
            log.info("could not list adapters", exc_info=True)
            return []
        # The persona's own versions first: those were trained on its chats.
        rows.sort(key=lambda a: (a.persona_key != persona_key, a.name.lower()))
        return [(a.id, a.name if a.name == a.id else f"{a.name} ({a.id})") for a in rows]

    def set_persona(self, persona, db) -> None:
        """Show ``persona``'s routing (None: a new persona, routing off)."""
        from aeon_studio.core.domains import domain_label, domain_names

        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.combos.clear()
        try:
            names = domain_names()
        except AeonError as exc:  # a damaged domains file: say so here, the rest of the persona stays editable
            names = []
            self.hint.setText(str(exc))
        mapping = dict(persona.domain_adapters) if persona else {}
        adapters = self._adapters(db, persona.key if persona else None)
        known = {aid for aid, _label in adapters}
        for i, name in enumerate(names):
            combo = QComboBox(self)
            combo.addItem(_("— (as general)") if name != "general" else _("— (the persona's adapter)"), None)
            for aid, label in adapters:
                combo.addItem(label, aid)
            chosen = mapping.get(name)
            if chosen and chosen not in known:  # deleted since: keep it visible rather than drop it silently
                combo.addItem(_("{adapter} (missing)").format(adapter=chosen), chosen)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
            shown = domain_label(name)
            label = QLabel(shown[:1].upper() + shown[1:] + ":", self)
            label.setBuddy(combo)
            row, col = divmod(i, self.COLUMNS)
            self.grid.addWidget(label, row, col * 2)
            self.grid.addWidget(combo, row, col * 2 + 1)
            self.combos[name] = combo
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(3, 1)
        self.enabled.setChecked(bool(persona and persona.route_by_domain))
        if names:
            self.hint.setText(_("No adapters yet: train one in the Training tab.") if not adapters else
                              _("A message's domain is decided by its words (keywords and example messages)."))
        self._sync()

    def _sync(self) -> None:
        for combo in self.combos.values():
            combo.setEnabled(self.enabled.isChecked())

    def route_by_domain(self) -> bool:
        return self.enabled.isChecked()

    def domain_adapters(self) -> dict[str, str]:
        """The chosen adapter per domain (domains left on '—' are not stored)."""
        return {name: combo.currentData() for name, combo in self.combos.items() if combo.currentData()}
