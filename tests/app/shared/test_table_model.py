"""The one base of the app's list and table models (``app/widgets/table_model.py``) and the models built on it."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from aeon_studio.app.shared.table_model import RIGHT, Column, ListModel, TableModel

pytestmark = pytest.mark.gui
DISPLAY, TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole
FOREGROUND, ALIGN = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole
ID_ROLE = Qt.ItemDataRole.UserRole + 7


class Fruits(TableModel):
    columns = (Column("Name", lambda r: r[0], tooltip=lambda r: f"a {r[0]}"),
               Column("Count", lambda r: r[1], numeric=True,
                      foreground=lambda r: QColor("red") if r[1] == 0 else None))
    row_roles = {ID_ROLE: lambda r: r[2]}


class LazyFruits(Fruits):
    """Rows made on demand, like ``ExamplesModel`` reading pages."""

    def __init__(self) -> None:
        super().__init__()
        self.reads: list[int] = []

    def row_count(self) -> int:
        return 3

    def row_at(self, row: int):
        self.reads.append(row)
        return (f"fruit {row}", row, 100 + row)


def test_columns_declared_as_data_answer_every_role(qapp):
    model = Fruits()
    model.set_rows([("apple", 3, 11), ("pear", 0, 12)])
    cell = lambda r, c, role=DISPLAY: model.data(model.index(r, c), role)  # noqa: E731
    assert (model.rowCount(), model.columnCount()) == (2, 2)
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(model.index(0, 0)) == 0
    assert [model.headerData(i, Qt.Orientation.Horizontal) for i in range(2)] == ["Name", "Count"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert (cell(0, 0), cell(1, 1), cell(0, 0, TOOLTIP), cell(0, 1, TOOLTIP)) == ("apple", 0, "a apple", None)
    assert (cell(0, 1, ALIGN), cell(0, 0, ALIGN)) == (RIGHT, None)
    assert cell(1, 1, FOREGROUND) == QColor("red") and cell(0, 1, FOREGROUND) is None
    assert cell(1, 0, ID_ROLE) == 12 and cell(1, 1, ID_ROLE) == 12
    assert cell(0, 0, Qt.ItemDataRole.DecorationRole) is None and model.data(QModelIndex()) is None
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(0)
    assert proxy.data(proxy.index(0, 0)) == "apple" and proxy.data(proxy.index(1, 1)) == 0


def test_a_lazy_model_reads_rows_only_for_roles_it_answers(qapp):
    model = LazyFruits()
    assert model.rowCount() == 3
    assert model.data(model.index(2, 1), ALIGN) == RIGHT
    assert model.data(model.index(2, 1), Qt.ItemDataRole.DecorationRole) is None
    assert model.reads == []
    assert model.data(model.index(2, 0)) == "fruit 2" and model.reads == [2]


def test_list_model_keeps_index_with_one_argument(qapp):
    class Names(ListModel):
        columns = (Column("", lambda r: r.upper()),)
        row_roles = {Qt.ItemDataRole.UserRole: lambda r: r}

    model = Names()
    model.set_rows(["ana", "bia"])
    assert model.rowCount() == 2 and model.data(model.index(1)) == "BIA"
    assert model.data(model.index(0), Qt.ItemDataRole.UserRole) == "ana"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "", "an empty header is not a msgid"


def test_the_app_models_keep_their_cells(qapp):
    from aeon_studio.app.chat.conversations import ConversationModel
    from aeon_studio.app.models.tab import RowsModel
    from aeon_studio.app.training.runs import RunsModel

    conv = ConversationModel()
    conv.set_rows([SimpleNamespace(id=4, title="", updated_at=datetime(2026, 1, 2, 3, 4))])
    assert conv.data(conv.index(0)) == "New conversation"
    assert conv.data(conv.index(0), TOOLTIP) == "2026-01-02 03:04"
    assert conv.data(conv.index(0), Qt.ItemDataRole.UserRole) == 4

    rows = RowsModel([("Name", lambda r: r.name), ("Size", lambda r: r.size)])
    rows.set_rows([SimpleNamespace(name="a", size=None)])
    assert rows.data(rows.index(0, 1)) == "" and rows.data(rows.index(0, 0), TOOLTIP) == "a"
    rows.tooltips = lambda r, col: "custom" if col == 1 else None
    rows.colors = lambda r, col: QColor("green") if col == 0 else None
    rows.numeric = {1}
    assert rows.data(rows.index(0, 1), TOOLTIP) == "custom" and rows.data(rows.index(0, 0), TOOLTIP) == "a"
    assert rows.data(rows.index(0, 0), FOREGROUND) == QColor("green")
    assert rows.data(rows.index(0, 1), ALIGN) == RIGHT and rows.data(rows.index(0, 0), ALIGN) is None
    resets: list[int] = []
    rows.modelReset.connect(lambda: resets.append(1))
    rows.set_rows(list(rows.rows))
    assert resets == [], "the same rows again keep the selection"

    runs = RunsModel()
    run = SimpleNamespace(id="r1", status="done", dataset_name="d", preset="quick", metrics={"steps": 5,
                          "total_steps": 10, "loss": 1.23456}, started_at=None, finished_at=None, adapter_id=None,
                          error=None, base_model="smol", method="sft")
    runs.set_rows([run])
    assert [runs.data(runs.index(0, c)) for c in range(runs.columnCount())][:6] == [
        "r1", "done", "d", "Quick", "5/10", "1.235"]
    assert runs.data(runs.index(0, 2), TOOLTIP) == "Base model smol · method sft"
    assert [runs.data(runs.index(0, c), ALIGN) == RIGHT for c in range(9)] == [False] * 4 + [True] * 4 + [False]
