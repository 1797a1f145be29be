"""The Dataset tab's stats panel: totals, domains, a rating histogram, sources and warnings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from aeon_studio.core.i18n import _
from aeon_studio.app.datasets.model import DOMAIN_NAMES, SOURCE_NAMES
from aeon_studio.app.style import set_style_property

class BarChart(QWidget):
    """Horizontal bars with a label and a count each (no chart library needed)."""

    def __init__(self, parent: QWidget | None = None, color: str = "#3d7bd9") -> None:
        super().__init__(parent)
        self.items: list[tuple[str, int]] = []
        self.color = QColor(color)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_items(self, items: list[tuple[str, int]]) -> None:
        self.items = list(items)
        self.updateGeometry()
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(200, max(1, len(self.items)) * (self.fontMetrics().height() + 4) + 2)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        if not self.items:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        row_h = fm.height() + 4
        label_w = max(fm.horizontalAdvance(label) for label, _n in self.items) + 8
        count_w = max(fm.horizontalAdvance(str(n)) for _label, n in self.items) + 8
        bar_w = max(10, self.width() - label_w - count_w)
        top = max(n for _label, n in self.items) or 1
        text = self.palette().color(QPalette.ColorRole.WindowText)
        for i, (label, n) in enumerate(self.items):
            y = i * row_h + 1
            p.setPen(text)
            p.drawText(QRectF(0, y, label_w - 6, row_h), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                       label)
            w = bar_w * n / top
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self.color)
            p.drawRoundedRect(QRectF(label_w, y + 3, max(w, 2 if n else 0), row_h - 6), 2, 2)
            p.setPen(text)
            p.drawText(QRectF(label_w + w + 4, y, count_w, row_h), int(Qt.AlignmentFlag.AlignVCenter), str(n))
        p.end()


def _domain(name: str) -> str:
    return _(DOMAIN_NAMES[name]) if name in DOMAIN_NAMES else name


class StatsPanel(QWidget):
    """Fed with :meth:`DatasetStore.stats`; ``set_stats(None)`` shows the empty state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stats: dict[str, Any] | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        overview = QGroupBox(_("Overview"))
        form = QFormLayout(overview)
        form.setVerticalSpacing(2)
        self.examples = QLabel()
        self.split = QLabel()
        self.tokens = QLabel()
        self.pairs = QLabel()
        self.edited = QLabel()
        self.bad = QLabel()
        self.bad.setToolTip(_("Replies labelled undesirable: never trained on as good answers (only KTO uses them, "
                              "to learn to avoid them). Choose 'Bad examples only' above the table to see them."))
        form.addRow(_("Examples:"), self.examples)
        form.addRow(_("Train / eval:"), self.split)
        form.addRow(_("Tokens (est.):"), self.tokens)
        form.addRow(_("Preference pairs:"), self.pairs)
        form.addRow(_("Edited:"), self.edited)
        form.addRow(_("Bad examples:"), self.bad)
        lay.addWidget(overview)

        self.domains = BarChart(color="#5a9e6f")
        self.ratings = BarChart(color="#e0a800")
        self.sources = BarChart(color="#7b68c8")
        for title, chart in ((_("Domains"), self.domains), (_("Ratings"), self.ratings),
                             (_("Sources"), self.sources)):
            box = QGroupBox(title)
            bl = QVBoxLayout(box)
            bl.setContentsMargins(6, 4, 6, 4)
            bl.addWidget(chart)
            lay.addWidget(box)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setProperty("tone", "warning-box")
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(self.warnings)
        lay.addStretch(1)
        self.set_stats(None)

    def set_stats(self, stats: dict[str, Any] | None) -> None:
        self.stats = stats
        s = stats or {}
        total = int(s.get("examples", 0))
        self.examples.setText(f"{total:,}" if stats else "—")
        self.split.setText(f"{s.get('train', 0):,} / {s.get('eval', 0):,}" if stats else "—")
        self.tokens.setText(f"{s.get('tokens', 0):,}" if stats else "—")
        self.pairs.setText(f"{s.get('pairs', 0):,}" if stats else "—")
        self.edited.setText(f"{s.get('edited', 0):,}" if stats else "—")
        bad = int(s.get("undesirable", 0) or 0)
        self.bad.setText(f"{bad:,}" if stats else "—")
        # red when there are some: they must never read like good training data
        set_style_property(self.bad, "tone", "error" if bad else "")
        domains = sorted((s.get("domains") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
        self.domains.set_items([(_domain(d), n) for d, n in domains])
        ratings = s.get("ratings") or {}
        self.ratings.set_items([("★" * r, int(ratings.get(str(r), 0))) for r in range(5, 0, -1)]
                               + [(_("unrated"), int(s.get("unrated", 0)))] if stats else [])
        self.sources.set_items([(_(SOURCE_NAMES[k]) if k in SOURCE_NAMES else k, n)
                                for k, n in sorted((s.get("sources") or {}).items(), key=lambda kv: (-kv[1], kv[0]))])
        warnings = list(s.get("warnings") or [])
        self.warnings.setText("\n".join("⚠ " + w for w in warnings))
        self.warnings.setVisible(bool(warnings))
