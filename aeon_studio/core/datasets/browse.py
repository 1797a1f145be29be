"""Browse and edit the examples of a dataset page by page (what the Dataset tab's table reads).

Every function works on the database of :func:`~aeon_studio.core.storage.get_database` unless a ``db`` is
given, returns plain rows, and never loads a whole dataset: :func:`query_examples` reads one page,
:func:`count_examples` one ``COUNT``. Filters are shared by both:

- ``search``: a substring of any turn's text (SQLite ``LIKE``, case-insensitive for ASCII letters);
- ``source``, ``domain``: exact values (see :func:`facets`);
- ``min_rating``: rated at least this much (unrated rows are left out when it is set);
- ``since``: created at or after this moment: a ``datetime``, a ``timedelta`` or a period like ``"7d"``;
- ``label``: the KTO label: ``False`` for the bad examples (replies labelled undesirable, never trained on as
  good answers), ``True`` for those labelled desirable.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timezone
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, text, update
from sqlmodel import col, select

from ..i18n import _
from ..storage import get_database
from ..storage.datasets_tables import Dataset, Example, ExampleEdit, PreferencePair
from ..storage.tables import utcnow
from .chats import parse_since
from .errors import DatasetError
from .records import clean_turn
from .store import MIN_ROWS_FOR_EVAL, DatasetStore, check_messages, content_hash, estimate_tokens, hash_bucket, \
    tag_domain

#: Rows per page unless the caller asks for another size (the table view's window).
DEFAULT_PAGE = 200
_MAX_PAGE = 5000

# json_each decodes the stored JSON (non-ASCII is escaped there), so "você" matches "voc\u00ea".
_SEARCH = text("EXISTS (SELECT 1 FROM json_each(dataset_example.messages) AS turn "
               "WHERE json_extract(turn.value, '$.content') LIKE :pattern ESCAPE '\\')")


def _db(db):
    return db or get_database()


def _dataset_id(name: str, db) -> int:
    return int(DatasetStore(db).get(name).id)


def _filtered(stmt, dataset_id: int, *, search: str | None, source: str | None, domain: str | None,
              min_rating: int | None, since: Any, label: bool | None = None):
    stmt = stmt.where(Example.dataset_id == dataset_id)
    if label is not None:
        stmt = stmt.where(Example.label == bool(label))
    if search and search.strip():
        escaped = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(_SEARCH.bindparams(bindparam("pattern", f"%{escaped}%")))
    if source:
        stmt = stmt.where(Example.source == source)
    if domain:
        stmt = stmt.where(Example.domain == domain)
    if min_rating is not None:
        stmt = stmt.where(col(Example.rating).is_not(None), col(Example.rating) >= int(min_rating))
    moment = parse_since(since)
    if moment is not None:
        stmt = stmt.where(col(Example.created_at) >= moment.astimezone(timezone.utc))
    return stmt


def query_examples(name: str, *, search: str | None = None, source: str | None = None, domain: str | None = None,
                   min_rating: int | None = None, since: Any = None, label: bool | None = None, offset: int = 0,
                   limit: int = DEFAULT_PAGE, db=None) -> list[Example]:
    """One page of the dataset's examples that pass the filters, in import order (by id).

    Args:
        name: The dataset's name (``DatasetError`` if there is none).
        search, source, domain, min_rating, since, label: Filters (see the module docstring).
        offset: Rows to skip (the page's first row).
        limit: Rows to return (at most 5000).
        db: The database (default: the app's).

    Returns:
        Detached :class:`Example` rows.
    """
    db = _db(db)
    ds_id = _dataset_id(name, db)
    stmt = _filtered(select(Example), ds_id, search=search, source=source, domain=domain, min_rating=min_rating,
                     since=since, label=label)
    stmt = stmt.order_by(Example.id).offset(max(0, int(offset))).limit(max(0, min(int(limit), _MAX_PAGE)))
    with db.session() as s:
        return list(s.exec(stmt).all())


def count_examples(name: str, *, search: str | None = None, source: str | None = None, domain: str | None = None,
                   min_rating: int | None = None, since: Any = None, label: bool | None = None, db=None) -> int:
    """How many examples of ``name`` pass the filters (same arguments as :func:`query_examples`)."""
    db = _db(db)
    ds_id = _dataset_id(name, db)
    stmt = _filtered(select(func.count()).select_from(Example), ds_id, search=search, source=source, domain=domain,
                     min_rating=min_rating, since=since, label=label)
    with db.session() as s:
        return int(s.exec(stmt).one())


_PAIR_PROMPT_SEARCH = text("EXISTS (SELECT 1 FROM json_each(dataset_pair.prompt) AS turn "
                           "WHERE json_extract(turn.value, '$.content') LIKE :pattern ESCAPE '\\')")


def _pairs_filtered(stmt, dataset_id: int, search: str | None):
    stmt = stmt.where(PreferencePair.dataset_id == dataset_id)
    if search and search.strip():
        escaped = search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(or_(col(PreferencePair.chosen).like(pattern, escape="\\"),
                              col(PreferencePair.rejected).like(pattern, escape="\\"),
                              _PAIR_PROMPT_SEARCH.bindparams(bindparam("pattern", pattern))))
    return stmt


def query_pairs(name: str, *, search: str | None = None, offset: int = 0, limit: int = DEFAULT_PAGE,
                db=None) -> list[PreferencePair]:
    """One page of the dataset's preference pairs (by id) holding ``search`` in the prompt, the chosen or the
    rejected reply (same matching as :func:`query_examples`), for a table that never loads every pair."""
    db = _db(db)
    stmt = _pairs_filtered(select(PreferencePair), _dataset_id(name, db), search)
    stmt = stmt.order_by(PreferencePair.id).offset(max(0, int(offset))).limit(max(0, min(int(limit), _MAX_PAGE)))
    with db.session() as s:
        return list(s.exec(stmt).all())


def count_pairs(name: str, *, search: str | None = None, db=None) -> int:
    """How many preference pairs of ``name`` hold ``search`` (all of them without it)."""
    db = _db(db)
    stmt = _pairs_filtered(select(func.count()).select_from(PreferencePair), _dataset_id(name, db), search)
    with db.session() as s:
        return int(s.exec(stmt).one())


def get_example(example_id: int, db=None) -> Example:
    """The example with this id (``DatasetError`` if it was deleted)."""
    with _db(db).session() as s:
        row = s.get(Example, int(example_id))
    if row is None:
        raise DatasetError(_("Example {id} does not exist (it may have been deleted).").format(id=example_id),
                           hint=_("Refresh the list of examples."))
    return row


def update_example(example_id: int, messages: list[dict[str, Any]], db=None) -> Example:
    """Replace an example's messages; the old ones are kept as an :class:`ExampleEdit`.

    The example is re-hashed (its train/eval split follows the new hash), its domain re-tagged and its token
    estimate redone. Nothing changes when the messages are invalid or duplicate another example of the dataset.

    Returns:
        The updated row.

    Raises:
        DatasetError: The example does not exist, a turn is empty, the roles are wrong, or the dataset already
            has the same conversation.
    """
    why = check_messages(messages)
    if why:
        raise DatasetError(_("The edited example cannot be saved: {reason}.").format(reason=why),
                           hint=_("Every turn needs a role and some text, and the last turn must be an assistant "
                                  "reply."))
    msgs = [clean_turn(m) for m in messages]  # a context-only turn ("weight": 0) stays context only
    new_hash = content_hash(msgs)
    db = _db(db)
    with db.session() as s:
        row = s.get(Example, int(example_id))
        if row is None:
            raise DatasetError(_("Example {id} does not exist (it may have been deleted).").format(id=example_id),
                               hint=_("Refresh the list of examples."))
        if new_hash == row.content_hash and msgs == row.messages:
            return row
        clash = s.exec(select(Example.id).where(Example.dataset_id == row.dataset_id,
                                                Example.content_hash == new_hash,
                                                Example.id != row.id)).first()
        if clash is not None:
            raise DatasetError(_("The dataset already has this conversation (example {id}).").format(id=clash),
                               hint=_("Change the text, or delete one of the two examples."))
        s.add(ExampleEdit(example_id=row.id, before=list(row.messages)))
        ds = s.get(Dataset, row.dataset_id)
        n = s.exec(select(func.count()).select_from(Example).where(Example.dataset_id == row.dataset_id)).one()
        pct = ds.eval_percent if ds is not None and n >= MIN_ROWS_FOR_EVAL else 0
        row.messages = msgs
        row.content_hash = new_hash
        row.split = "eval" if hash_bucket(new_hash) < pct else "train"
        row.domain = tag_domain(msgs)
        row.tokens = estimate_tokens(msgs)
        row.edited = True
        row.updated_at = utcnow()
        s.add(row)
        if ds is not None:
            ds.updated_at = utcnow()
            s.add(ds)
        s.flush()
        s.refresh(row)
        return row


def example_edits(example_id: int, db=None) -> list[ExampleEdit]:
    """The edit history of an example, oldest first (each row holds the messages before that edit)."""
    with _db(db).session() as s:
        return list(s.exec(select(ExampleEdit).where(ExampleEdit.example_id == int(example_id))
                           .order_by(ExampleEdit.id)).all())


def delete_examples(ids: Iterable[int], db=None) -> int:
    """Delete examples (and their edit history); returns how many were deleted.

    A dataset left with fewer than ``MIN_ROWS_FOR_EVAL`` examples puts them all back in train, as the store does.
    """
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return 0
    db = _db(db)
    deleted = 0
    with db.session() as s:
        touched: set[int] = set()
        for start in range(0, len(wanted), 500):  # SQLite caps the number of bound parameters
            chunk = wanted[start:start + 500]
            touched.update(s.exec(select(Example.dataset_id).where(col(Example.id).in_(chunk)).distinct()).all())
            deleted += s.exec(delete(Example).where(col(Example.id).in_(chunk))).rowcount or 0
            s.exec(delete(ExampleEdit).where(col(ExampleEdit.example_id).in_(chunk)))
        for ds_id in touched:
            n = s.exec(select(func.count()).select_from(Example).where(Example.dataset_id == ds_id)).one()
            if n < MIN_ROWS_FOR_EVAL:
                s.exec(update(Example).where(Example.dataset_id == ds_id).values(split="train"))
            ds = s.get(Dataset, ds_id)
            if ds is not None:
                ds.updated_at = utcnow()
                s.add(ds)
    return int(deleted)


def facets(name: str, db=None) -> dict[str, Any]:
    """The values the filters can take: ``{"sources": [...], "domains": [...], "ratings": [...]}`` (sorted)."""
    db = _db(db)
    ds_id = _dataset_id(name, db)
    with db.session() as s:
        def distinct(column) -> list:
            return sorted(v for v in s.exec(select(column).where(Example.dataset_id == ds_id).distinct()).all()
                          if v not in (None, ""))

        return {"sources": distinct(Example.source), "domains": distinct(Example.domain),
                "ratings": distinct(Example.rating)}


def first_turns(messages: list[dict[str, Any]]) -> tuple[str, str]:
    """The first user turn and the reply that follows it (for a one-line summary of an example)."""
    user, reply = "", ""
    for i, m in enumerate(messages or []):
        if m.get("role") == "user":
            user = str(m.get("content", ""))
            reply = next((str(n.get("content", "")) for n in messages[i + 1:] if n.get("role") == "assistant"), "")
            break
    return user, reply
