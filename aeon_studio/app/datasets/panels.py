"""How the Datasets tab is laid out: the dataset list and its buttons (left), the filters, the examples table
and its buttons (centre), the statistics and the export box (right).

:class:`DatasetPanels` is mixed into :class:`~aeon_studio.app.datasets.tab.DatasetTab`; it only creates the
widgets and connects them to the tab's methods, which hold the behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QScrollArea, QSplitter, QStackedWidget, QTableView, QTextBrowser,
                               QTreeWidget, QVBoxLayout, QWidget)

from aeon_studio.core.datasets.exporters import EXPORT_FORMATS
from aeon_studio.core.i18n import _
from aeon_studio.app.datasets.builders import candidate_api
from aeon_studio.app.datasets.dialogs import PERIODS, SPLITS
from aeon_studio.app.datasets.model import ExamplesModel
from aeon_studio.app.datasets.readable import format_help
from aeon_studio.app.datasets.views import VIEWS, PairsModel
from aeon_studio.app.datasets.stats import StatsPanel


class DatasetPanels:
    """The three panels of the Datasets tab (a mixin of the tab)."""

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._left())
        split.addWidget(self._centre())
        split.addWidget(self._right())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 0)
        split.setSizes([235, 700, 245])
        split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 10, 10, 10)
        lay.addWidget(split)

    def _left(self) -> QWidget:
        box = QGroupBox(_("Datasets"))
        lay = QVBoxLayout(box)
        self.datasets = QTreeWidget()
        # Name and kind share the first column (two lines) so long names fit in a narrow panel.
        self.datasets.setHeaderLabels([_("Name / kind"), _("Examples"), _("Pairs")])
        self.datasets.setRootIsDecorated(False)
        self.datasets.setAlternatingRowColors(True)
        header = self.datasets.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.datasets.currentItemChanged.connect(self._dataset_selected)
        lay.addWidget(self.datasets, 1)
        row = QHBoxLayout()
        self.new_btn = QPushButton(_("New…"))
        self.new_btn.clicked.connect(lambda: self.new_dataset())
        self.delete_ds_btn = QPushButton(_("Delete"))
        self.delete_ds_btn.clicked.connect(lambda: self.delete_dataset())
        row.addWidget(self.new_btn)
        row.addWidget(self.delete_ds_btn)
        lay.addLayout(row)
        self.import_btn = QPushButton(_("Import files…"))
        self.import_btn.setToolTip(_("Logs, CSV, JSON/JSONL, TXT/MD/PDF documents; you can also drop files on "
                                     "this tab."))
        self.import_btn.clicked.connect(lambda: self.choose_files())
        self.chats_btn = QPushButton(_("From chats…"))
        self.chats_btn.setToolTip(_("Examples and preference pairs from the replies you rated in the chat."))
        self.chats_btn.clicked.connect(lambda: self.from_chats())
        self.identity_btn = QPushButton(_("Identity set…"))
        self.identity_btn.setToolTip(_("Questions and answers about who the assistant is, in English and "
                                       "Portuguese."))
        self.identity_btn.clicked.connect(lambda: self.identity_set())
        self.review_btn = QPushButton(_("Review questions…"))
        self.review_btn.setToolTip(_("Accept, edit or reject the questions generated from your documents."))
        self.review_btn.clicked.connect(lambda: self.review_questions())
        self.review_btn.setVisible(candidate_api(self.store) is not None)
        for b in (self.import_btn, self.chats_btn, self.identity_btn, self.review_btn):
            lay.addWidget(b)
        box.setMinimumWidth(225)
        return box

    def _centre(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        filters = QHBoxLayout()
        self.view_filter = QComboBox()
        for key, label in VIEWS:
            self.view_filter.addItem(_(label), key)
        self.view_filter.setToolTip(_("Show every example, only the bad examples (replies labelled undesirable, "
                                      "never trained on as good answers) or the preference pairs (a chosen and a "
                                      "rejected reply to the same question)."))
        self.view_filter.currentIndexChanged.connect(lambda _i: self._view_changed())
        filters.addWidget(self.view_filter)
        # Two rows (what to show and the search; then the filters): one row would make the tab wider than the
        # window's default width.
        combos = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search the text of every turn…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(170)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        filters.addWidget(self.search, 2)
        self.source_filter = QComboBox()
        self.domain_filter = QComboBox()
        self.rating_filter = QComboBox()
        self.rating_filter.addItem(_("Any rating"), None)
        for r in range(5, 0, -1):
            self.rating_filter.addItem(_("≥ {stars}").format(stars="★" * r), r)
        self.date_filter = QComboBox()
        for key, label in PERIODS[:3]:
            self.date_filter.addItem(_(label), key or None)
        for combo, tip in ((self.source_filter, _("Source")), (self.domain_filter, _("Domain")),
                           (self.rating_filter, _("Minimum rating")), (self.date_filter, _("Date"))):
            combo.setToolTip(tip)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(9)
            combo.currentIndexChanged.connect(self.apply_filters)
            combos.addWidget(combo)
        lay.addLayout(filters)
        lay.addLayout(combos)

        self.model = ExamplesModel(self.ctx.db, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        # Fixed widths: ResizeToContents would make the view read rows just to measure them.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(36)
        # wide enough for the Portuguese headers and source names ("Turnos", "importação")
        for col, width in enumerate((200, 200, 52, 74, 84, 62, 52, 80)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda idx: self.edit_example(idx.row()))
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self.model.rowsInserted.connect(lambda *_a: self._update_count())

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("dataset_empty")
        self.empty.setProperty("tone", "hint")
        self.empty.setMargin(30)
        self.pairs_model = PairsModel(self.ctx.db, self)
        self.pairs_table = QTableView()
        self.pairs_table.setModel(self.pairs_model)
        self.pairs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pairs_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pairs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pairs_table.setAlternatingRowColors(True)
        self.pairs_table.setWordWrap(False)
        self.pairs_table.verticalHeader().hide()
        self.pairs_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.pairs_table.selectionModel().selectionChanged.connect(lambda *_a: self.show_detail())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self.show_detail())
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.pairs_table)
        # The whole example or pair under the table: tool calls in words, a pair's replies side by side.
        self.detail = QTextBrowser()
        self.detail.setObjectName("dataset_detail")
        self.detail.setOpenLinks(False)
        self.detail.hide()
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(self.stack)
        centre.addWidget(self.detail)
        centre.setStretchFactor(0, 3)
        centre.setStretchFactor(1, 2)
        centre.setChildrenCollapsible(False)
        lay.addWidget(centre, 1)

        bottom = QHBoxLayout()
        self.count_label = QLabel()
        bottom.addWidget(self.count_label, 1)
        self.edit_btn = QPushButton(_("Edit…"))
        self.edit_btn.clicked.connect(lambda: self.edit_example(self.table.currentIndex().row()))
        self.delete_btn = QPushButton(_("Delete selected"))
        self.delete_btn.clicked.connect(lambda: self.delete_selected())
        bottom.addWidget(self.edit_btn)
        bottom.addWidget(self.delete_btn)
        lay.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, activated=lambda: self.delete_selected())
        return w

    def _right(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        self.stats = StatsPanel()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.stats)
        lay.addWidget(scroll, 1)
        box = QGroupBox(_("Export"))
        bl = QVBoxLayout(box)
        self.export_format = QComboBox()
        for key, label in EXPORT_FORMATS.items():  # the CLI's formats, all of them
            self.export_format.addItem(_(label), key)
            self.export_format.setItemData(self.export_format.count() - 1, format_help(key),
                                           Qt.ItemDataRole.ToolTipRole)
        # the whole name shows ("Exemplos KTO com rótulos (JSONL)"): the panel grows a little rather than clip it
        self.export_format.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.export_help = QLabel()
        self.export_help.setWordWrap(True)
        self.export_help.setProperty("tone", "hint")
        self.export_format.currentIndexChanged.connect(
            lambda _i: self.export_help.setText(format_help(self.export_format.currentData())))
        self.export_help.setText(format_help(self.export_format.currentData()))
        # As tall as the longest explanation at the panel's width: a word-wrapped label in a group box does not
        # grow when its text changes, and the box must not jump when the format changes.
        fm = self.export_help.fontMetrics()
        flags = int(Qt.TextFlag.TextWordWrap)
        self.export_help.setMinimumHeight(max(fm.boundingRect(0, 0, 205, 10_000, flags, format_help(k)).height()
                                              for k in EXPORT_FORMATS) + 4)
        self.export_split = QComboBox()
        for key, label in SPLITS:
            self.export_split.addItem(_(label), key)
        bl.addWidget(self.export_format)
        bl.addWidget(self.export_help)
        bl.addWidget(self.export_split)
        self.export_btn = QPushButton(_("Export…"))
        self.export_btn.clicked.connect(lambda: self.choose_export())
        bl.addWidget(self.export_btn)
        self.export_status = QLabel()
        self.export_status.setWordWrap(True)
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bl.addWidget(self.export_status)
        lay.addWidget(box)
        w.setMinimumWidth(max(235, self.export_format.sizeHint().width() + 24))  # + the group box's margins
        return w
