"""What the Dataset tab shows besides the plain examples: the bad examples, the preference pairs (chosen and
rejected side by side) and a detail pane that reads a selected example or pair in full, tool calls in words.

:class:`DatasetViews` is mixed into :class:`~aeon_studio.app.datasets.tab.DatasetTab`; the widgets are made in
:mod:`~aeon_studio.app.datasets.panels`. The pairs table reads one page at a time, like the examples table
(:func:`browse.query_pairs`), so a set of 60k pairs downloaded from the Hub opens at once.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from PySide6.QtGui import QColor

from aeon_studio.core.i18n import N_
from aeon_studio.core.datasets import browse
from aeon_studio.app.datasets.model import ExamplesModel, theme_colour
from aeon_studio.app.datasets.readable import conversation_html, pair_html, turn_text
from aeon_studio.app.shared.table_model import Column

log = logging.getLogger(__name__)

#: The "Show" choices of the tab: key → label.
VIEWS = [("all", N_("All examples")), ("bad", N_("Bad examples only")), ("pairs", N_("Preference pairs"))]


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class PairRow(NamedTuple):
    id: int
    prompt: list[dict[str, Any]]
    question: str
    chosen: str
    rejected: str


def pair_row(p: Any) -> PairRow:
    """The display row of a stored :class:`PreferencePair` (the question is its prompt's last user turn)."""
    question = next((turn_text(m) for m in reversed(p.prompt) if m.get("role") == "user"), "")
    return PairRow(int(p.id), p.prompt, question, p.chosen, p.rejected)


class PairsModel(ExamplesModel):
    """Preference pairs: the question, the chosen reply (green) and the rejected one (red), side by side; lazy
    like :class:`ExamplesModel` (``filters`` takes ``search`` only)."""

    columns = (
        Column(N_("Question"), lambda r: _one_line(r.question), tooltip=lambda r: r.question),
        Column(N_("✓ Chosen reply"), lambda r: _one_line(r.chosen), tooltip=lambda r: r.chosen,
               foreground=lambda r: QColor(theme_colour("chart_golden"))),  # the theme's green
        Column(N_("✗ Rejected reply"), lambda r: _one_line(r.rejected), tooltip=lambda r: r.rejected,
               foreground=lambda r: QColor(theme_colour("text_error"))),
    )

    def _count(self) -> int:
        return browse.count_pairs(self.name, **self.filters, db=self.db)

    def _query(self, offset: int, limit: int) -> list[Any]:
        return browse.query_pairs(self.name, **self.filters, offset=offset, limit=limit, db=self.db)

    def _row(self, item: Any) -> PairRow:
        return pair_row(item)


class DatasetViews:
    """The Show filter, the pairs table and the detail pane (a mixin of the Dataset tab)."""

    def view(self) -> str:
        """``all``, ``bad`` (examples labelled undesirable) or ``pairs``."""
        return self.view_filter.currentData() or "all"

    def set_view(self, key: str) -> None:
        """Choose what the centre shows (as the Show box does)."""
        self.view_filter.setCurrentIndex(max(0, self.view_filter.findData(key)))

    def _view_changed(self) -> None:
        pairs = self.view() == "pairs"
        # the other filters read example columns a pair does not have
        for combo in (self.source_filter, self.domain_filter, self.rating_filter, self.date_filter):
            combo.setEnabled(not pairs)
        self.apply_filters()

    def refresh_pairs(self) -> None:
        """Read the shown dataset's preference pairs into the pairs table."""
        search = self.search.text().strip()
        try:
            self.pairs_model.set_dataset(self.current, {"search": search} if search else {})
        except Exception as err:  # noqa: BLE001 - a vanished dataset shows an empty table
            log.warning("pairs of %s: %s", self.current, err)
            self.pairs_model.set_dataset(None)

    def show_detail(self) -> None:
        """Fill the detail pane with the selected example or pair (empty when none or several are selected)."""
        from aeon_studio.core.datasets import browse

        html = ""
        if self.view() == "pairs":
            rows = self.pairs_table.selectionModel().selectedRows()
            row = self.pairs_model.row_at(rows[0].row()) if len(rows) == 1 else None
            if row is not None:
                html = pair_html(row.prompt, row.chosen, row.rejected)
        else:
            rows = self.table.selectionModel().selectedRows()
            example_id = self.model.example_id(rows[0].row()) if len(rows) == 1 else None
            if example_id is not None:
                try:
                    ex = browse.get_example(example_id, db=self.ctx.db)
                    html = conversation_html(ex.messages, tools=ex.tools, label=ex.label,
                                             muted=theme_colour("text_muted"), error=theme_colour("text_error"))
                except Exception as err:  # noqa: BLE001 - deleted meanwhile: nothing to show
                    log.info("example %s: %s", example_id, err)
        self.detail.setHtml(html)
        self.detail.setVisible(bool(html))
