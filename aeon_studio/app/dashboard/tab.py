"""Dashboard tab: how satisfied the user is, per week and per adapter version, and whether the version in use
is rated better than the one before it.

Everything it shows comes from :mod:`aeon_studio.core.stats` (SQL aggregates, fast enough to rerun on every
change). The charts (pyqtgraph) are built the first time the tab is shown, so the window starts without it.
"""

from __future__ import annotations

import html
from datetime import timezone

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QMenu, QPushButton,
                               QToolButton, QVBoxLayout, QWidget)

from aeon_studio.app.context import AppContext
from aeon_studio.app.shared.errors import show_error
from aeon_studio.app.shared.live import LiveView
from aeon_studio.core.i18n import _, current_language, ngettext
from aeon_studio.core.stats import (MIN_RATINGS, VersionComparison, compare_versions, group_stats, parse_since,
                                    version_changes, write_csv)

#: Data-change topics that can alter what the tab shows (ratings and surveys arrive as "*" or on showing).
TOPICS = {"adapters", "personas", "arena", "evaluations"}
#: The period filter: (label, ``--since`` value or None for all time).
PERIODS = ((lambda: _("All time"), None), (lambda: _("Last 30 days"), "30d"), (lambda: _("Last 12 weeks"), "12w"))


class DashboardTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.charts = None  # built on first show
        self.weeks: list = []
        self.versions: list = []
        self.comparison: VersionComparison | None = None
        self.names: dict[str, str] = {}
        self._build()
        self.live = LiveView(self, ctx.changes, TOPICS, lambda _topics: self.refresh())

    def tab_title(self) -> str:
        return _("Dashboard")

    # -- layout --------------------------------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Persona:")))
        self.persona_combo = QComboBox()
        self.persona_combo.setMinimumWidth(150)
        top.addWidget(self.persona_combo)
        top.addWidget(QLabel(_("Version:")))
        self.version_combo = QComboBox()
        self.version_combo.setMinimumWidth(190)
        top.addWidget(self.version_combo)
        top.addWidget(QLabel(_("Period:")))
        self.period_combo = QComboBox()
        for label, since in PERIODS:
            self.period_combo.addItem(label(), since)
        top.addWidget(self.period_combo)
        top.addStretch(1)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        self.export_chart_button = QToolButton()
        self.export_chart_button.setText(_("Save chart as PNG…"))
        self.export_chart_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_menu = QMenu(self)
        self.export_chart_button.setMenu(self.export_menu)
        top.addWidget(self.export_chart_button)
        self.export_data_button = QPushButton(_("Save data as CSV…"))
        self.export_data_button.clicked.connect(self._ask_export_data)
        top.addWidget(self.export_data_button)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty = QLabel(_("No ratings yet. Rate replies in the Chat tab (1 to 5 stars), answer the short "
                              "survey when it is offered and vote in Compare: the charts fill in as you do."))
        self.empty.setWordWrap(True)
        self.empty.setProperty("tone", "hint")
        self.grid = QGridLayout()
        self.grid.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        # with no data the hint takes the room the charts would (top-aligned), so nothing floats mid-window
        layout.addWidget(self.empty, 1, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(self.grid, 1)
        self._fill_personas()
        self.persona_combo.currentIndexChanged.connect(lambda _i: self._persona_changed())
        self.version_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.period_combo.currentIndexChanged.connect(lambda _i: self.refresh())

    def _fill_personas(self) -> None:
        from aeon_studio.core.personas import PersonaStore

        current = self.persona_combo.currentData()
        self.persona_combo.blockSignals(True)
        self.persona_combo.clear()
        self.persona_combo.addItem(_("All personas"), None)
        for p in PersonaStore(self.ctx.db).list():
            self.persona_combo.addItem(p.name, p.key)
        self.persona_combo.setCurrentIndex(max(0, self.persona_combo.findData(current)))
        self.persona_combo.blockSignals(False)

    def _persona_changed(self) -> None:
        self.version_combo.blockSignals(True)
        self.version_combo.setCurrentIndex(0)  # the versions listed are the new persona's
        self.version_combo.blockSignals(False)
        self.refresh()

    def _fill_versions(self, keys: list[str]) -> None:
        from aeon_studio.app.dashboard.charts import long_name

        current = self.version_combo.currentData()
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        self.version_combo.addItem(_("All versions"), None)
        for key in keys:
            self.version_combo.addItem(long_name(key, self.names), key)
        self.version_combo.setCurrentIndex(max(0, self.version_combo.findData(current)))
        self.version_combo.blockSignals(False)

    def _ensure_charts(self) -> None:
        if self.charts is not None:
            return
        from aeon_studio.app.dashboard.charts import Charts

        self.charts = Charts(self)
        for i, plot in enumerate(self.charts.widgets):
            plot.setMinimumSize(260, 170)
            self.grid.addWidget(plot, i // 3, i % 3, 1, 2 if i == 4 else 1)  # the arena's bars take the rest
            action = self.export_menu.addAction(self.charts.titles[i])
            action.triggered.connect(lambda _checked=False, n=i: self._ask_export_chart(n))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self.refresh()  # ratings and survey answers announce no topic: whatever changed shows when looked at

    # -- data ----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Query the numbers for the current filters and redraw (charts only once the tab has been shown)."""
        persona, adapter = self.persona_combo.currentData(), self.version_combo.currentData()
        since_value = self.period_combo.currentData()
        since = parse_since(since_value) if since_value else None
        db = self.ctx.db
        self.versions = group_stats("adapter", since=since, persona=persona, db=db)
        changes = version_changes(persona, db=db)
        keys = list(dict.fromkeys([c.adapter_id or "base" for c in changes] + [v.key for v in self.versions]))
        from aeon_studio.app.dashboard.charts import version_names

        self.names = version_names(changes, keys, persona)
        self._fill_versions(keys)
        self.weeks = group_stats("week", since=since, persona=persona, adapter=adapter, db=db)
        self.comparison = compare_versions(persona, since=since, db=db, groups=self.versions) if persona else None
        self.summary.setText(self.summary_text())
        has_data = bool(self.weeks or self.versions)
        self.empty.setVisible(not has_data)
        if self.isVisible() or self.charts is not None:
            self._ensure_charts()
            since_utc = since.astimezone(timezone.utc) if since else None
            shown = [c for c in changes if since_utc is None or c.at >= since_utc]
            self.charts.draw(self.weeks, self.versions, shown, self.names)
            for plot in self.charts.widgets:
                plot.setVisible(has_data)

    def summary_text(self) -> str:
        """The comparison "new version vs previous" in plain words (rich text)."""
        from aeon_studio.app.dashboard.charts import long_name

        loc = QLocale(current_language())
        c = self.comparison
        if c is None:
            return html.escape(_("Pick a persona to see whether the version it answers with now is rated better "
                                 "than the one before it."))

        def name(key: str | None) -> str:
            return "<b>" + html.escape(long_name(key or "base", self.names)) + "</b>"

        def measure(g) -> str:
            ratings = ngettext("{n} rating", "{n} ratings", g.likert_n).format(n=g.likert_n)
            if g.likert_mean is None:
                return ratings
            if g.likert_low is None:
                return _("{mean} from {ratings}").format(mean=loc.toString(g.likert_mean, "f", 2), ratings=ratings)
            return _("{mean} (95 % sure between {low} and {high}; {ratings})").format(
                mean=loc.toString(g.likert_mean, "f", 2), low=loc.toString(g.likert_low, "f", 2),
                high=loc.toString(g.likert_high, "f", 2), ratings=ratings)

        now, before = name(c.current), name(c.previous)
        if c.verdict == "no-previous":
            return _("Now in use: {now}, rated {measure}. There is no earlier version to compare it with yet.").format(
                now=now, measure=measure(c.current_stats))
        sides = _("Now in use: {now}, rated {m_now}. Before it: {before}, rated {m_before}.").format(
            now=now, m_now=measure(c.current_stats), before=before, m_before=measure(c.previous_stats))
        verdict = {
            "not-enough": ngettext("Not enough ratings yet to tell which is better: each version needs at least "
                                   "{n} rating.", "Not enough ratings yet to tell which is better: each version "
                                   "needs at least {n} ratings.", MIN_RATINGS).format(n=MIN_RATINGS),
            "better": _("The new version is rated better."),
            "worse": _("The new version is rated worse: consider going back to the previous one (Evaluation tab, "
                       "Roll back)."),
            "no-difference": _("No clear difference yet: the ratings of the two versions overlap."),
        }[c.verdict]
        return f"{sides} <b>{html.escape(verdict)}</b>"

    # -- export --------------------------------------------------------------------------------------------
    def export_chart(self, index: int, path: str) -> None:
        """Save chart ``index`` (as shown) to ``path`` as PNG."""
        self._ensure_charts()
        if not self.charts.widgets[index].grab().save(path, "PNG"):
            raise OSError(_("Could not write {path}: check that the folder exists and is writable.").format(
                path=path))

    def export_data(self, path: str) -> None:
        """Save the weekly and per-version numbers shown to ``path`` as CSV."""
        write_csv(path, {"week": self.weeks, "adapter": self.versions})

    def _ask_export_chart(self, index: int) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _("Save chart as PNG"), "chart.png", _("PNG images (*.png)"))
        if path:
            try:
                self.export_chart(index, path)
            except OSError as err:
                show_error(self, _("Save chart as PNG"), err)

    def _ask_export_data(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _("Save data as CSV"), "ratings.csv", _("CSV files (*.csv)"))
        if path:
            try:
                self.export_data(path)
            except OSError as err:
                show_error(self, _("Save data as CSV"), _("Could not write {path}: {error}").format(path=path,
                                                                                                    error=err))
