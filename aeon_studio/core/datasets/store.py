"""DatasetStore: datasets, examples and preference pairs in SQLite; stats; exports."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, update
from sqlmodel import col, select

from ..i18n import _, ngettext
from ..storage import get_database
from ..storage.datasets_tables import Dataset, DatasetCandidate, DatasetPassage, Example, PreferencePair
from ..storage.tables import utcnow
from . import exporters
from .errors import DatasetError
from .records import (DEFAULT_DOMAINS, DOMAIN_LABELS, clean_turn, content_hash, estimate_tokens,  # noqa: F401
                      hash_bucket, is_context_only, tag_domain)

#: Datasets smaller than this keep every row in train (an eval split of 1 or 2 rows says nothing).
MIN_ROWS_FOR_EVAL = 20
#: A domain with fewer examples than this gets a warning in the stats.
MIN_DOMAIN_EXAMPLES = 50
EXPORT_FORMATS = tuple(exporters.EXPORT_FORMATS)
SPLITS = ("train", "eval", "all")
_NAME = re.compile(r"^[\w.\-]{1,80}$", re.UNICODE)

def check_messages(messages: Any) -> str | None:
    """Why a record is not a usable example, or ``None``."""
    if not isinstance(messages, list) or not messages:
        return _("no messages")
    for i, m in enumerate(messages, 1):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "tool"):
            return _("turn {n} has no valid role (system, user or assistant)").format(n=i)
        if m.get("tool_calls") or m["role"] == "tool":
            continue  # a turn that calls tools has no text of its own; a tool's result may be empty
        if not isinstance(m.get("content"), str) or not m["content"].strip():
            return _("turn {n} is empty").format(n=i)
    if messages[-1]["role"] != "assistant":
        return _("the last turn is not an assistant reply")
    if not any(m["role"] == "user" for m in messages):
        return _("there is no user turn")
    return None


@dataclass
class ChatsSummary:
    name: str
    examples: int
    pairs: int
    replies_seen: int
    skipped_low: int
    skipped_injected: int = 0  # rated well, but repeating the memory note injected into its prompt


class BulkImport:
    """The writes of one :meth:`DatasetStore.bulk_import` transaction into one dataset."""

    def __init__(self, store: DatasetStore, session: Any, dataset_id: int) -> None:
        self._store, self._s, self.dataset_id = store, session, dataset_id

    def stored_messages(self) -> Iterator[list[dict[str, Any]]]:
        """The messages of every example the dataset already holds, streamed (for near-duplicate checks)."""
        rows = self._s.connection().execute(select(Example.messages).where(Example.dataset_id == self.dataset_id))
        for (messages,) in rows:
            yield messages

    def add_rows(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """See :meth:`DatasetStore.insert_rows`: ``(added, duplicates)``."""
        return self._store.insert_rows(self._s, self.dataset_id, rows)

    def add_passages(self, batch: list[tuple[str, str]]) -> int:
        """See :meth:`DatasetStore.insert_passages`: how many passages were new."""
        return self._store.insert_passages(self._s, self.dataset_id, batch)

    def add_pairs(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """See :meth:`DatasetStore.insert_pairs`: ``(added, duplicates)``."""
        return self._store.insert_pairs(self._s, self.dataset_id, rows)


class DatasetStore:
    """Named datasets of the app database (see the package docstring for the API)."""

    def __init__(self, db=None) -> None:
        self.db = db or get_database()

    # -- datasets --------------------------------------------------------------
    def get(self, name: str) -> Dataset:
        with self.db.session() as s:
            row = s.exec(select(Dataset).where(Dataset.name == name)).first()
        if row is None:
            raise DatasetError(_("No dataset called '{name}'.").format(name=name),
                               hint=_("See 'aeon-studio dataset list', or build one with 'dataset from-chats' "
                                      "or 'dataset identity'."))
        return row

    def exists(self, name: str) -> bool:
        with self.db.session() as s:
            return s.exec(select(Dataset.id).where(Dataset.name == name)).first() is not None

    def create(self, name: str, *, kind: str = "sft", description: str = "") -> Dataset:
        if not isinstance(name, str) or not _NAME.match(name):
            raise DatasetError(_("'{name}' is not a valid dataset name.").format(name=name),
                               hint=_("Use 1-80 letters, digits, '.', '-' or '_'."))
        with self.db.session() as s:
            row = s.exec(select(Dataset).where(Dataset.name == name)).first()
            created = row is None
            if row is None:
                row = Dataset(name=name, kind=kind, description=description)
                s.add(row)
                s.flush()
                s.refresh(row)
        if created:
            self.db.changes.emit("datasets")
        return row

    def list(self) -> list[dict[str, Any]]:
        with self.db.session() as s:
            rows = s.exec(select(Dataset).order_by(Dataset.name)).all()
            counts = dict(s.exec(select(Example.dataset_id, func.count()).group_by(Example.dataset_id)).all())
            pairs = dict(s.exec(select(PreferencePair.dataset_id, func.count())
                                .group_by(PreferencePair.dataset_id)).all())
        return [{"name": r.name, "kind": r.kind, "examples": counts.get(r.id, 0), "pairs": pairs.get(r.id, 0),
                 "description": r.description, "updated_at": r.updated_at} for r in rows]

    def delete(self, name: str) -> None:
        ds = self.get(name)
        with self.db.session() as s:
            s.exec(delete(Example).where(Example.dataset_id == ds.id))
            s.exec(delete(PreferencePair).where(PreferencePair.dataset_id == ds.id))
            s.exec(delete(DatasetPassage).where(DatasetPassage.dataset_id == ds.id))
            s.exec(delete(DatasetCandidate).where(DatasetCandidate.dataset_id == ds.id))
            row = s.get(Dataset, ds.id)
            if row is not None:
                s.delete(row)
        self.db.changes.emit("datasets")

    # -- rows --------------------------------------------------------------------
    def add_examples(self, name: str, examples: Iterable[dict[str, Any]], *, source: str = "import",
                     replace_source: bool = False) -> tuple[int, int]:
        """Add ``{"messages": [...]}`` records (optional ``source_ref``, ``rating``, ``edited``, ``domain``).
        Invalid records raise :class:`DatasetError` before anything is written; exact duplicates are skipped.
        Returns ``(added, duplicates)``."""
        ds = self.create(name)
        rows, seen, dups = [], set(), 0
        for n, ex in enumerate(examples, 1):
            msgs = ex.get("messages") if isinstance(ex, dict) else None
            why = check_messages(msgs)
            if why:
                ref = ex.get("source_ref") if isinstance(ex, dict) else None
                raise DatasetError(_("{where}: {reason}").format(where=ref or _("record {n}").format(n=n),
                                                                 reason=why))
            msgs = [clean_turn(m) for m in msgs]
            if not any(m["role"] == "assistant" and not is_context_only(m) for m in msgs):
                ref = ex.get("source_ref") or _("record {n}").format(n=n)
                raise DatasetError(_("{where}: every assistant reply is marked \"weight\": 0, so there is "
                                     "nothing to learn from it").format(where=ref),
                                   hint=_("Give at least one assistant reply weight 1, or leave the record out."))
            h = content_hash(msgs)
            if h in seen:
                dups += 1
                continue
            seen.add(h)
            rows.append(Example(dataset_id=ds.id, messages=msgs, source=ex.get("source", source),
                                source_ref=str(ex.get("source_ref", "")), domain=ex.get("domain") or tag_domain(msgs),
                                content_hash=h, rating=ex.get("rating"), tokens=estimate_tokens(msgs),
                                edited=bool(ex.get("edited", False)),
                                created_at=ex.get("created_at") or utcnow()))
        with self.db.session() as s:
            if replace_source:
                s.exec(delete(Example).where(Example.dataset_id == ds.id, Example.source == source))
                s.flush()
            existing = self._existing_hashes(s, ds.id, [r.content_hash for r in rows])
            fresh = [r for r in rows if r.content_hash not in existing]
            dups += len(rows) - len(fresh)
            s.add_all(fresh)
            self._touch(s, ds.id)
        self._resplit(ds.id)
        return len(fresh), dups

    def set_pairs(self, name: str, pairs: Iterable[dict[str, Any]], *, source: str = "chats") -> int:
        """Replace the dataset's preference pairs of ``source`` by ``pairs``; returns how many were stored."""
        ds = self.create(name)
        rows, seen = [], set()
        for p in pairs:
            prompt = p["prompt"] if isinstance(p["prompt"], list) else [{"role": "user", "content": str(p["prompt"])}]
            h = content_hash(prompt + [{"role": "chosen", "content": p["chosen"]},
                                       {"role": "rejected", "content": p["rejected"]}])
            if h in seen:
                continue
            seen.add(h)
            rows.append(PreferencePair(dataset_id=ds.id, prompt=prompt, chosen=p["chosen"], rejected=p["rejected"],
                                       reason=p.get("reason", ""), source_ref=f"{source}:{p.get('source_ref', '')}",
                                       content_hash=h, split="eval" if hash_bucket(h) < ds.eval_percent else "train"))
        if len(rows) < MIN_ROWS_FOR_EVAL:
            for r in rows:
                r.split = "train"
        with self.db.session() as s:
            s.exec(delete(PreferencePair).where(PreferencePair.dataset_id == ds.id,
                                                col(PreferencePair.source_ref).startswith(f"{source}:")))
            s.add_all(rows)
            self._touch(s, ds.id)
        self.db.changes.emit("datasets")
        return len(rows)

    def _touch(self, s, dataset_id: int) -> None:
        row = s.get(Dataset, dataset_id)
        if row is not None:
            row.updated_at = utcnow()
            s.add(row)

    @staticmethod
    def _existing_hashes(s, dataset_id: int, hashes: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(hashes), 500):
            part = hashes[i:i + 500]
            found.update(s.exec(select(Example.content_hash).where(Example.dataset_id == dataset_id,
                                                                   col(Example.content_hash).in_(part))).all())
        return found

    def insert_rows(self, s, dataset_id: int, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """Bulk-insert example rows (``messages``, ``content_hash`` and the other :class:`Example` columns as a
        dict) in the open session ``s``, skipping hashes already stored; returns ``(added, duplicates)``.
        The caller runs :meth:`resplit` once at the end (see :func:`.importers.import_files`)."""
        if not rows:
            return 0, 0
        existing = self._existing_hashes(s, dataset_id, [r["content_hash"] for r in rows])
        now = utcnow()
        fresh = [{"dataset_id": dataset_id, "source": "import", "source_ref": "", "domain": "general",
                  "split": "train", "rating": None, "tokens": 0, "edited": False, "label": None, "tools": None,
                  "created_at": now, "updated_at": now, **r} for r in rows if r["content_hash"] not in existing]
        if fresh:
            s.connection().execute(insert(Example.__table__).prefix_with("OR IGNORE"), fresh)
        return len(fresh), len(rows) - len(fresh)

    @staticmethod
    def insert_pairs(s, dataset_id: int, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """Bulk-insert preference pairs (``prompt``, ``chosen``, ``rejected``, ``content_hash``, ``source_ref``)
        in the open session ``s``, skipping hashes already stored; returns ``(added, duplicates)``. The split
        is set by :meth:`resplit`."""
        if not rows:
            return 0, 0
        hashes = [r["content_hash"] for r in rows]
        existing: set[str] = set()
        for i in range(0, len(hashes), 500):
            existing.update(s.exec(select(PreferencePair.content_hash).where(
                PreferencePair.dataset_id == dataset_id,
                col(PreferencePair.content_hash).in_(hashes[i:i + 500]))).all())
        now = utcnow()
        fresh = [{"dataset_id": dataset_id, "reason": "import", "split": "train", "created_at": now, **r}
                 for r in rows if r["content_hash"] not in existing]
        if fresh:
            s.connection().execute(insert(PreferencePair.__table__).prefix_with("OR IGNORE"), fresh)
        return len(fresh), len(rows) - len(fresh)

    @contextmanager
    def bulk_import(self, dataset_id: int) -> Iterator[BulkImport]:
        """One transaction that adds many examples and passages to a dataset: committed (and the dataset marked
        as updated) when the block ends, rolled back when it raises. The caller runs :meth:`resplit` after."""
        with self.db.session() as s:
            yield BulkImport(self, s, dataset_id)
            self._touch(s, dataset_id)

    def resplit(self, name: str, *, pairs: bool = False) -> None:
        """Recompute the deterministic train/eval split of ``name`` (after bulk inserts); ``pairs``: of its
        preference pairs too."""
        self._resplit(self.get(name).id, pairs=pairs)

    def _resplit(self, dataset_id: int, *, pairs: bool = False) -> None:
        """Deterministic split by content hash; small datasets keep everything in train. ``pairs``: the
        preference pairs too (imported ones; :meth:`set_pairs` splits the pairs it writes itself)."""
        with self.db.session() as s:
            ds = s.get(Dataset, dataset_id)
            for model in (Example, PreferencePair) if pairs else (Example,):
                n = s.exec(select(func.count()).select_from(model).where(model.dataset_id == dataset_id)).one()
                pct = ds.eval_percent if ds is not None and n >= MIN_ROWS_FOR_EVAL else 0
                change: dict[str, list[int]] = {"train": [], "eval": []}
                for row_id, h, split in s.exec(select(model.id, model.content_hash, model.split)
                                               .where(model.dataset_id == dataset_id)).all():
                    want = "eval" if hash_bucket(h) < pct else "train"
                    if want != split:
                        change[want].append(row_id)
                for want, ids in change.items():
                    for i in range(0, len(ids), 500):
                        s.exec(update(model).where(col(model.id).in_(ids[i:i + 500])).values(split=want))
        # Every write of examples ends here (add_examples, accepted candidates, imports): one notice for them.
        self.db.changes.emit("datasets")

    def _split_filter(self, q, model, split: str):
        if split not in SPLITS:
            raise DatasetError(_("Unknown split '{split}'.").format(split=split),
                               hint=_("Use train, eval or all."))
        return q if split == "all" else q.where(model.split == split)

    def examples(self, name: str, split: str = "train", *, undesirable: bool = False) -> list[dict[str, Any]]:
        """``[{"messages": [...]}, …]`` in a stable order (by id), with ``"tools"`` and ``"label"`` when the
        example has them. Examples labelled undesirable (KTO ``label: false``) are left out unless
        ``undesirable``: everything that reads this list for supervised training gets good answers only."""
        ds = self.get(name)
        with self.db.session() as s:
            q = select(Example.messages, Example.tools, Example.label).where(Example.dataset_id == ds.id)
            if not undesirable:
                q = q.where(col(Example.label).is_not(False))
            q = self._split_filter(q, Example, split)
            return [{"messages": m, **({"tools": t} if t else {}), **({"label": lab} if lab is not None else {})}
                    for m, t, lab in s.exec(q.order_by(Example.id)).all()]

    def undesirable_count(self, name: str, split: str = "all") -> int:
        """How many examples of ``name`` are labelled undesirable (left out of supervised data)."""
        ds = self.get(name)
        with self.db.session() as s:
            q = select(func.count()).select_from(Example).where(Example.dataset_id == ds.id,
                                                                 Example.label == False)  # noqa: E712
            return int(s.exec(self._split_filter(q, Example, split)).one())

    def example_rows(self, name: str, *, offset: int = 0, limit: int = 200) -> list[Example]:
        ds = self.get(name)
        with self.db.session() as s:
            q = select(Example).where(Example.dataset_id == ds.id).order_by(Example.id).offset(offset).limit(limit)
            return list(s.exec(q).all())

    def preference_pairs(self, name: str, split: str = "all") -> list[dict[str, Any]]:
        """``[{"prompt": [messages up to the user turn], "chosen": str, "rejected": str}, …]``."""
        ds = self.get(name)
        with self.db.session() as s:
            q = self._split_filter(select(PreferencePair).where(PreferencePair.dataset_id == ds.id),
                                   PreferencePair, split)
            return [{"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected}
                    for p in s.exec(q.order_by(PreferencePair.id)).all()]

    # -- document passages and generated candidates ------------------------------------
    def add_passages(self, name: str, passages: Iterable[tuple[str, str]]) -> int:
        """Store ``(ref, text)`` document passages in ``name`` (identical passages once); returns how many
        were new."""
        ds = self.create(name)
        added, batch = 0, []
        with self.db.session() as s:
            for item in passages:
                batch.append(item)
                if len(batch) >= 500:
                    added += self.insert_passages(s, ds.id, batch)
                    batch.clear()
            added += self.insert_passages(s, ds.id, batch)
            self._touch(s, ds.id)
        self.db.changes.emit("datasets")
        return added

    @staticmethod
    def insert_passages(s, dataset_id: int, batch: list[tuple[str, str]]) -> int:
        """Insert ``(ref, text)`` passages in the open session ``s``, skipping stored ones; returns how many."""
        fresh: dict[str, tuple[str, str]] = {}
        for ref, text in batch:
            h = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
            fresh.setdefault(h, (ref, text))
        hashes = list(fresh)
        for i in range(0, len(hashes), 500):
            for h in s.exec(select(DatasetPassage.content_hash).where(
                    DatasetPassage.dataset_id == dataset_id,
                    col(DatasetPassage.content_hash).in_(hashes[i:i + 500]))).all():
                fresh.pop(h, None)
        now = utcnow()
        rows = [{"dataset_id": dataset_id, "ref": r, "text": t, "content_hash": h, "created_at": now}
                for h, (r, t) in fresh.items()]
        if rows:
            s.connection().execute(insert(DatasetPassage.__table__).prefix_with("OR IGNORE"), rows)
        return len(rows)

    def passages(self, name: str, *, limit: int | None = None) -> list[DatasetPassage]:
        """The stored document passages of ``name`` in import order."""
        ds = self.get(name)
        with self.db.session() as s:
            q = select(DatasetPassage).where(DatasetPassage.dataset_id == ds.id).order_by(DatasetPassage.id)
            return list(s.exec(q.limit(limit) if limit else q).all())

    def add_candidates(self, name: str, candidates: Iterable[Any]) -> list[int]:
        """Store generated :class:`~.questions.Candidate` objects as ``pending`` rows; returns their ids."""
        ds = self.create(name)
        rows = [DatasetCandidate(dataset_id=ds.id, question=c.question, answer=c.answer,
                                 passage_ref=c.passage_ref, passage=getattr(c, "passage", ""),
                                 model_id=getattr(c, "model_id", ""), status=getattr(c, "status", "pending"))
                for c in candidates]
        with self.db.session() as s:
            s.add_all(rows)
            s.flush()
            ids = [r.id for r in rows]
        self.db.changes.emit("datasets")
        return ids

    def list_candidates(self, name: str, status: str | None = "pending") -> list[DatasetCandidate]:
        """Candidates of ``name`` (``status=None``: all of them), oldest first."""
        ds = self.get(name)
        with self.db.session() as s:
            q = select(DatasetCandidate).where(DatasetCandidate.dataset_id == ds.id)
            if status:
                q = q.where(DatasetCandidate.status == status)
            return list(s.exec(q.order_by(DatasetCandidate.id)).all())

    def _candidate(self, s, candidate_id: int) -> DatasetCandidate:
        row = s.get(DatasetCandidate, candidate_id)
        if row is None:
            raise DatasetError(_("No candidate with id {id}.").format(id=candidate_id),
                               hint=_("See 'aeon-studio dataset candidates NAME'."))
        return row

    def accept_candidate(self, candidate_id: int, question: str | None = None,
                         answer: str | None = None) -> int:
        """Turn a pending candidate (optionally edited) into an example of its dataset; returns the example id."""
        with self.db.session() as s:
            row = self._candidate(s, candidate_id)
            if row.status != "pending":
                msg = (_("Candidate {id} was already rejected.") if row.status == "rejected"
                       else _("Candidate {id} was already accepted."))
                raise DatasetError(msg.format(id=candidate_id))
            q = (question if question is not None else row.question).strip()
            a = (answer if answer is not None else row.answer).strip()
            msgs = [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
            why = check_messages(msgs)
            if why:
                raise DatasetError(_("Candidate {id}: {reason}").format(id=candidate_id, reason=why),
                                   hint=_("Give a non-empty question and answer."))
            ds = s.get(Dataset, row.dataset_id)
            h = content_hash(msgs)
            ex = s.exec(select(Example).where(Example.dataset_id == row.dataset_id,
                                              Example.content_hash == h)).first()
            if ex is None:
                ex = Example(dataset_id=row.dataset_id, messages=msgs, source="questions",
                             source_ref=row.passage_ref, domain=tag_domain(msgs), content_hash=h,
                             tokens=estimate_tokens(msgs),
                             edited=q != row.question.strip() or a != row.answer.strip())
                s.add(ex)
                s.flush()
            row.status, row.example_id, row.updated_at = "accepted", ex.id, utcnow()
            row.question, row.answer = q, a
            s.add(row)
            self._touch(s, ds.id)
            ex_id, ds_id = ex.id, ds.id
        self._resplit(ds_id)
        return int(ex_id)

    def reject_candidate(self, candidate_id: int) -> None:
        """Mark a pending candidate as rejected (it stays listed with ``status=None`` for the record)."""
        with self.db.session() as s:
            row = self._candidate(s, candidate_id)
            if row.status == "accepted":
                raise DatasetError(_("Candidate {id} is already accepted.").format(id=candidate_id),
                                   hint=_("Delete the example it became instead."))
            row.status, row.updated_at = "rejected", utcnow()
            s.add(row)
        self.db.changes.emit("datasets")

    # -- builders ----------------------------------------------------------------
    def build_from_chats(self, name: str, min_likert: int = 4, since: Any = None,
                         persona: str | None = None) -> ChatsSummary:
        """(Re)build the chat-derived rows of ``name``: replies rated ≥ ``min_likert`` and the user's corrections
        as examples; corrections, picked regenerations and rating gaps as preference pairs."""
        from .chats import extract_from_chats

        got = extract_from_chats(self.db, min_likert=min_likert, since=since, persona=persona)
        if not self.exists(name):
            self.create(name, kind="chats", description=_("Built from rated chats."))
        self.add_examples(name, [{**e, "source": "chats"} for e in got.examples], source="chats",
                          replace_source=True)
        n_pairs = self.set_pairs(name, got.pairs, source="chats")
        ds = self.get(name)
        with self.db.session() as s:
            row = s.get(Dataset, ds.id)
            row.meta = {**(row.meta or {}), "from_chats": {"min_likert": min_likert, "since": str(since or ""),
                                                           "persona": persona}}
            s.add(row)
            n_ex = s.exec(select(func.count()).select_from(Example)
                          .where(Example.dataset_id == ds.id, Example.source == "chats")).one()
        return ChatsSummary(name=name, examples=int(n_ex), pairs=n_pairs, replies_seen=got.replies_seen,
                            skipped_low=got.skipped_low, skipped_injected=got.skipped_injected)

    def build_identity(self, name: str, assistant_name: str, creator: str, description: str = "") -> int:
        """Replace the identity rows of ``name`` by a fresh identity set; returns the number of examples."""
        from .identity import identity_examples

        if not assistant_name.strip() or not creator.strip():
            raise DatasetError(_("The assistant name and the creator must not be empty."),
                               hint=_("Pass --assistant-name NAME and --creator WHO."))
        rows = identity_examples(assistant_name, creator, description)
        if not self.exists(name):
            self.create(name, kind="identity",
                        description=_("Identity set for {name}.").format(name=assistant_name.strip()))
        for i, r in enumerate(rows, 1):
            r.update(source="identity", source_ref=f"identity:{r.pop('lang')}:{i}", domain="general")
        self.add_examples(name, rows, source="identity", replace_source=True)
        with self.db.session() as s:
            ds = s.exec(select(Dataset).where(Dataset.name == name)).one()
            return int(s.exec(select(func.count()).select_from(Example)
                              .where(Example.dataset_id == ds.id, Example.source == "identity")).one())

    # -- stats and export --------------------------------------------------------
    def stats(self, name: str) -> dict[str, Any]:
        ds = self.get(name)
        with self.db.session() as s:
            base = select(func.count()).select_from(Example).where(Example.dataset_id == ds.id)
            total = int(s.exec(base).one())
            train = int(s.exec(base.where(Example.split == "train")).one())
            tokens = int(s.exec(select(func.coalesce(func.sum(Example.tokens), 0))
                                .where(Example.dataset_id == ds.id)).one())
            domains = dict(s.exec(select(Example.domain, func.count()).where(Example.dataset_id == ds.id)
                                  .group_by(Example.domain)).all())
            sources = dict(s.exec(select(Example.source, func.count()).where(Example.dataset_id == ds.id)
                                  .group_by(Example.source)).all())
            ratings = dict(s.exec(select(Example.rating, func.count()).where(Example.dataset_id == ds.id)
                                  .group_by(Example.rating)).all())
            edited = int(s.exec(base.where(Example.edited == True)).one())  # noqa: E712
            undesirable = int(s.exec(base.where(Example.label == False)).one())  # noqa: E712
            pairs = int(s.exec(select(func.count()).select_from(PreferencePair)
                               .where(PreferencePair.dataset_id == ds.id)).one())
        warnings = [ngettext("The domain '{domain}' has only {n} example (fewer than {min}).",
                             "The domain '{domain}' has only {n} examples (fewer than {min}).", n)
                    .format(domain=_(DOMAIN_LABELS.get(d, d)), n=n, min=MIN_DOMAIN_EXAMPLES)
                    for d, n in sorted(domains.items()) if n < MIN_DOMAIN_EXAMPLES]
        if total == 0:
            warnings.insert(0, _("The dataset has no examples."))
        return {"name": ds.name, "kind": ds.kind, "examples": total, "train": train, "eval": total - train,
                "tokens": tokens, "domains": domains, "sources": sources, "edited": edited, "pairs": pairs,
                "undesirable": undesirable,
                "ratings": {str(k): v for k, v in sorted(ratings.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
                            if k is not None},
                "unrated": ratings.get(None, 0), "warnings": warnings,
                "created_at": ds.created_at, "updated_at": ds.updated_at}

    def export(self, name: str, path: str | os.PathLike, fmt: str = "messages", split: str = "all") -> int:
        """Write a JSONL file (UTF-8, non-ASCII kept) loadable by TRL/Unsloth/LLaMA-Factory in one of
        :data:`.exporters.EXPORT_FORMATS` (``messages``, ``sharegpt``, ``dpo``, ``kto``). Supervised formats
        leave out examples labelled undesirable (see :meth:`undesirable_count`). The file is written under a
        temporary name and renamed, so a failure leaves any old file intact. Returns the rows written."""
        exporters.check_format(fmt)
        if fmt in exporters.PAIR_FORMATS:
            rows = self.preference_pairs(name, split=split)
            if not rows:
                raise DatasetError(_("The dataset '{name}' has no preference pairs to export.").format(name=name),
                                   hint=_("Pairs come from 'dataset from-chats' (edited replies, regenerations "
                                          "you kept and differently rated replies) or from importing a file of "
                                          "pairs (chosen/rejected)."))
        else:
            rows = self.examples(name, split=split, undesirable=fmt not in exporters.SFT_FORMATS)
        return exporters.write_jsonl(path, map(exporters.ROWS[fmt], rows))


def build_from_chats(name: str, min_likert: int = 4, since: Any = None, persona: str | None = None) -> ChatsSummary:
    return DatasetStore().build_from_chats(name, min_likert=min_likert, since=since, persona=persona)


def build_identity(name: str, assistant_name: str, creator: str, description: str = "") -> int:
    return DatasetStore().build_identity(name, assistant_name, creator, description)

