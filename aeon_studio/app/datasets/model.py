"""A lazy table model over a dataset's examples: a window of pages, never the whole dataset.

``rowCount`` grows by ``fetchMore`` (the view asks for more as the user scrolls down) up to the filtered
count; ``data`` reads the page holding the row through :func:`browse.query_examples` and keeps at most
``max_pages`` pages in an LRU cache, so memory and the number of queries stay bounded at 100k examples.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import timezone
from typing import Any, NamedTuple

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QColor

from aeon_studio.core.datasets import browse
from aeon_studio.core.i18n import N_, _
from aeon_studio.app.datasets.readable import reply_summary, tool_names
from aeon_studio.app.shared.table_model import Column, TableModel

DOMAIN_NAMES = {"technical": N_("technical"), "support": N_("support"), "legal": N_("legal"),
                "general": N_("general")}
SPLIT_NAMES = {"train": N_("train"), "eval": N_("eval")}
#: Where examples come from (``Example.source``), as the table, the filter and the stats show it.
SOURCE_NAMES = {"import": N_("import"), "chats": N_("chats"), "identity": N_("identity"),
                "questions": N_("questions")}
#: ``data(index, ID_ROLE)`` is the example's database id.
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class Row(NamedTuple):
    id: int
    user: str
    reply: str
    turns: int
    domain: str
    source: str
    rating: int | None
    split: str
    date: str
    when: str
    edited: bool
    #: Labelled undesirable (KTO ``label: false``): a bad example, never trained on as a good answer.
    bad: bool = False
    #: The names of the tools the conversation may call ("" without tools).
    tools: str = ""


def _one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def summarize(ex: Any) -> Row:
    """The display row of an :class:`Example` (one line per cell; dates in local time)."""
    user = browse.first_turns(ex.messages)[0]
    reply = reply_summary(ex.messages)  # tool calls in words, then the answer after their results
    created = ex.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return Row(int(ex.id), _one_line(user, 300), _one_line(reply, 300), len(ex.messages), ex.domain or "",
               ex.source or "", ex.rating, ex.split or "", created.astimezone().strftime("%Y-%m-%d") if created else "",
               created.astimezone().strftime("%Y-%m-%d %H:%M") if created else "", bool(ex.edited),
               getattr(ex, "label", None) is False, tool_names(getattr(ex, "tools", None)))


def _named(names: dict[str, str], value: str) -> str:
    return _(names[value]) if value in names else value


def _source(r: Row) -> str:
    source = _named(SOURCE_NAMES, r.source)
    return f"{source} ✎" if r.edited else source


def theme_colour(token: str) -> str:
    """The colour of a ``themes.toml`` token in the theme the app shows now (a model's cells cannot use the
    style sheet)."""
    from PySide6.QtCore import QCoreApplication

    from aeon_studio.app.style import THEME_PROPERTY, theme_colours

    app = QCoreApplication.instance()
    theme = app.property(THEME_PROPERTY) if app is not None else None
    return theme_colours(theme if theme in ("light", "dark") else "light")[token]


def _bad(r: Row) -> QColor | None:
    # the red of errors: a bad example must never look like good data
    return QColor(theme_colour("text_error")) if r.bad else None


def _reply(r: Row) -> str:
    return _("✗ bad example: {reply}").format(reply=r.reply) if r.bad else r.reply


def _reply_tip(r: Row) -> str:
    tips = [_reply(r)]
    if r.bad:
        tips.append(_("Labelled undesirable: what the assistant should not say; never trained on as a good answer."))
    if r.tools:
        tips.append(_("Tools it may call: {names}").format(names=r.tools))
    return "\n\n".join(tips)


COLUMNS = (
    Column(N_("First user turn"), lambda r: r.user, tooltip=lambda r: r.user, foreground=_bad),
    Column(N_("Reply"), _reply, tooltip=_reply_tip, foreground=_bad),
    Column(N_("Turns"), lambda r: r.turns, numeric=True),
    Column(N_("Domain"), lambda r: _named(DOMAIN_NAMES, r.domain)),
    Column(N_("Source"), _source, tooltip=lambda r: _("Edited by you") if r.edited else None),
    Column(N_("Rating"), lambda r: "★" * r.rating if r.rating else "—", numeric=True),
    Column(N_("Split"), lambda r: _named(SPLIT_NAMES, r.split),
           foreground=lambda r: QColor("#1f5fa8") if r.split == "eval" else None),
    Column(N_("Date"), lambda r: r.date, tooltip=lambda r: r.when),
)


class ExamplesModel(TableModel):
    """Examples of one dataset matching ``filters`` (the keyword arguments of :func:`browse.count_examples`).

    Lazy: :meth:`row_count` grows by ``fetchMore``; :meth:`row_at` reads the page that holds the row.
    """

    columns = COLUMNS
    row_roles = {ID_ROLE: lambda r: r.id}

    def __init__(self, db=None, parent: QObject | None = None, *, page_size: int = 200, fetch_step: int = 500,
                 max_pages: int = 24) -> None:
        super().__init__(parent)
        self.db = db
        self.page_size = page_size
        self.fetch_step = fetch_step
        self.max_pages = max_pages
        self.name: str | None = None
        self.filters: dict[str, Any] = {}
        self.total = 0
        self._loaded = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self.queries = 0  # page reads since the model was created (tests bound it)

    # -- state ----------------------------------------------------------------------------
    def set_dataset(self, name: str | None, filters: dict[str, Any] | None = None) -> None:
        self.name = name
        if filters is not None:
            self.filters = {k: v for k, v in filters.items() if v not in (None, "")}
        self.refresh(keep_position=False)

    def set_filters(self, **filters: Any) -> None:
        self.filters = {k: v for k, v in filters.items() if v not in (None, "")}
        self.refresh(keep_position=False)

    def refresh(self, keep_position: bool = True) -> None:
        """Count again and drop the cache (after an import, an edit or a delete)."""
        keep = self._loaded if keep_position else 0
        self.beginResetModel()
        self._pages.clear()
        self.total = self._count() if self.name else 0
        self._loaded = min(self.total, max(keep, self.fetch_step))
        self.endResetModel()

    def row_count(self) -> int:
        return self._loaded

    def row_at(self, row: int) -> Row | None:
        """The display row ``row`` (reads its page if it is not cached)."""
        if not 0 <= row < self._loaded:
            return None
        page_no, pos = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            page = self._read_page(page_no)
        else:
            self._pages.move_to_end(page_no)
        return page[pos] if pos < len(page) else None

    def example_id(self, row: int) -> int | None:
        r = self.row_at(row)
        return r.id if r else None

    def _read_page(self, page_no: int) -> list[Row]:
        self.queries += 1
        rows = self._query(page_no * self.page_size, self.page_size) if self.name else []
        page = [self._row(item) for item in rows]
        self._pages[page_no] = page
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return page

    # -- what a subclass over other rows changes (see ``PairsModel``) ----------------------------
    def _count(self) -> int:
        return browse.count_examples(self.name, **self.filters, db=self.db)

    def _query(self, offset: int, limit: int) -> list[Any]:
        return browse.query_examples(self.name, **self.filters, offset=offset, limit=limit, db=self.db)

    def _row(self, item: Any) -> Any:
        return summarize(item)

    # -- Qt API ------------------------------------------------------------------------------
    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and self._loaded < self.total

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid() or self._loaded >= self.total:
            return
        more = min(self.fetch_step, self.total - self._loaded)
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + more - 1)
        self._loaded += more
        self.endInsertRows()
