"""What memory may recall into a conversation: the reply the user kept, never one rated low, never what is
already on the screen.

A finished exchange is remembered as ``"User: …\\nAssistant: …"`` with ``source_ref = "conversation:C/message:M"``
(:mod:`.hook`). The chat tables stay the truth about M afterwards: the user may rate it, regenerate it or correct
it (a newer version of its group, with ``edited_from_id``; the version the user keeps is the group's *active*
one). Recall looks them up every time, so a rating or a correction made anywhere (the chat, the CLI, another
process) counts at once:

- an exchange whose reply is no longer the kept version is *stale*: it is never recalled; the kept version's
  exchange is remembered in its place and the stale item forgotten (a correction is what memory keeps);
- an exchange whose kept reply is rated :data:`LOW_RATING` or lower is not recalled (a rating can change, so the
  item stays, and a better rating brings it back);
- nothing from the conversation itself, and nothing whose text the conversation already shows, is recalled.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text as sql
from sqlmodel import col, select

from ..i18n import _
from ..storage.tables import Message, Rating
from .lexical import covered, terms, word_terms
from .notes import mentions_notes

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

#: A kept reply rated this or lower is not recalled (Likert 1–5).
LOW_RATING = 2
_REF = re.compile(r"^conversation:(\d+)/message:(\d+)$")
_EXCHANGE = re.compile(r"^User: (?P<user>.*?)\nAssistant: (?P<answer>.*)$", re.S)
_ENDS = " \t\n.!?;:…"
log = logging.getLogger(__name__)
#: Reciprocal rank fusion's constant (Cormack, Clarke & Büttcher 2009): a hit's fused score is the sum of
#: ``1 / (RRF_K + rank)`` over the rankings (by meaning, by words) that found it. 60 is the paper's value; it keeps
#: one list's first place from outweighing an item both lists rank well.
RRF_K = 60
#: In hybrid recall a hit found by meaning alone must beat the question's :func:`reference_floor` by this much
#: cosine similarity, besides the ``memory_threshold``. all-MiniLM-L6-v2 is English-first: any two Portuguese
#: sentences score 0.4–0.6, so a fixed threshold of 0.35 let an unrelated Portuguese question recall a memory 6
#: times in 10 (bench/memory_quality.py); measured against everyday sentences in the question's language, the
#: unrelated questions stand out by 0.04 at most and the answers found by meaning alone by 0.15 or more.
DENSE_MARGIN = 0.12
#: The same margin for vectors that carry an English gloss (:mod:`.glossary`): a Portuguese question lands nearer
#: its answer and further from the rest, so the spread is smaller. On the bench (bench/memory_quality.py) the
#: unrelated questions stand out by 0.062 at most (an arithmetic question near a birthday's date); 0.075 keeps them
#: out with room to spare, and the two answers below it (0.057 and 0.067) are found by their words.
PIVOT_DENSE_MARGIN = 0.075
#: Everyday sentences with nothing personal in them, half Portuguese, half English: how close a question comes to
#: them is how close it comes to anything in its language (the model's input, never shown, so not translated).
REFERENCE = (
    "Amanhã vai chover à tarde.", "O ônibus atrasou de novo hoje.", "Preciso comprar pão e leite.",
    "A reunião foi remarcada para quinta.", "Esse filme é muito longo.", "Vou viajar no feriado.",
    "O restaurante estava lotado.", "Ela gosta de ler antes de dormir.", "O jogo terminou empatado.",
    "A impressora está sem tinta.", "Meu celular está descarregado.", "Hoje o trânsito estava tranquilo.",
    "O vizinho está reformando a casa.", "Comprei um presente de aniversário.", "A aula de inglês começa às sete.",
    "Esqueci o guarda-chuva no carro.", "O médico pediu alguns exames.", "A conta de luz veio alta este mês.",
    "Vamos fazer um churrasco no domingo.", "O computador está muito lento.",
    "It will rain tomorrow afternoon.", "The bus was late again today.", "I need to buy bread and milk.",
    "The meeting moved to Thursday.", "That movie is far too long.", "We are travelling over the holiday.",
    "The restaurant was packed.", "She likes to read before bed.", "The game ended in a draw.",
    "The printer is out of ink.", "My phone battery is dead.", "Traffic was light this morning.",
    "The neighbours are renovating their house.", "I bought a birthday present.",
    "The English class starts at seven.", "I left the umbrella in the car.", "The doctor ordered some tests.",
    "The electricity bill was high this month.", "Let's have a barbecue on Sunday.", "The computer is very slow.")
#: How many of the closest reference sentences the floor averages.
REFERENCE_TOP = 5
#: An item with this many content words or more counts as shown when the conversation has all of them (by stem);
#: a shorter one only when the conversation has its whole text ("Sou vegetariano" is news beside "vegetariano?").
COVERED_MIN_WORDS = 3
#: Leaves out the exchanges recall would not use (see :func:`screen`), as SQL over ``memory_item``: the reply they
#: remember is no longer the kept version of its group (corrected or regenerated), or the kept version is rated low.
_HELPFUL = sql(f"""NOT (memory_item.kind = 'exchange' AND memory_item.source_ref LIKE 'conversation:%/message:%'
AND EXISTS (SELECT 1 FROM message m
  WHERE m.id = CAST(substr(memory_item.source_ref, instr(memory_item.source_ref, '/message:') + 9) AS INTEGER)
  AND ((m.group_id IS NOT NULL AND EXISTS (SELECT 1 FROM message k
          WHERE k.group_id = m.group_id AND k.active = 1 AND k.id != m.id))
       OR EXISTS (SELECT 1 FROM rating r WHERE r.message_id = m.id AND r.likert <= {LOW_RATING}))))""")
#: One replacement at a time: the chat's thread (recall) and the memory writer (after an edit) may both find the
#: same stale exchange.
_replacing = threading.Lock()


def fuse(rankings: Sequence[Sequence[int]]) -> dict[int, float]:
    """Reciprocal rank fusion of ``rankings`` (ids, best first): ``{id: sum of 1 / (RRF_K + rank)}``."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, item_id in enumerate(ranking, start=1):
            fused[item_id] = fused.get(item_id, 0.0) + 1.0 / (RRF_K + rank)
    return fused


def dense_margin(embedder: Any) -> float:
    """:data:`DENSE_MARGIN`, or :data:`PIVOT_DENSE_MARGIN` for an embedder whose vectors carry an English gloss."""
    return PIVOT_DENSE_MARGIN if getattr(embedder, "pivot_dir", None) else DENSE_MARGIN


def reference_floor(query: "np.ndarray", reference: "np.ndarray") -> float:
    """How close ``query`` (a unit vector) comes to everyday sentences: the mean cosine of its
    :data:`REFERENCE_TOP` closest :data:`REFERENCE` sentences (``reference``: their unit vectors, one a row)."""
    import numpy as np

    sims = np.sort(np.asarray(reference, dtype=np.float32) @ np.asarray(query, dtype=np.float32))[::-1]
    return float(sims[:REFERENCE_TOP].mean()) if len(sims) else -1.0


_references: dict[str, "np.ndarray"] = {}
_references_lock = threading.Lock()


def reference_vectors(embedder: Any, folder: Path) -> "np.ndarray":
    """The embeddings of :data:`REFERENCE` by ``embedder``'s model: made once per model, kept in ``folder`` (60 KB)
    so a new process (a CLI command, the next start) does not embed them again before its first recall."""
    import numpy as np

    with _references_lock:
        vectors = _references.get(embedder.name)
        if vectors is not None:
            return vectors
        digest = hashlib.sha256("\n".join((embedder.name, *REFERENCE)).encode("utf-8")).hexdigest()[:16]
        path = Path(folder) / f"reference-{digest}.npy"
        try:
            vectors = np.load(path)
        except (OSError, ValueError):  # missing or damaged: made again below
            vectors = None
        if vectors is None or vectors.shape != (len(REFERENCE), embedder.dim):
            vectors = np.ascontiguousarray(embedder.encode(list(REFERENCE)), dtype=np.float32)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npy")
                np.save(tmp, vectors)
                tmp.replace(path)
            except OSError as exc:  # only a cache: the next process embeds them again
                log.warning("could not keep the recall reference vectors in %s: %s", path, exc)
        _references[embedder.name] = vectors
        return vectors


def match_kind(dense: bool, lexical: bool) -> str:
    """What found a hit: ``"both"``, ``"dense"`` (close in meaning) or ``"lexical"`` (shares words)."""
    return "both" if dense and lexical else "dense" if dense else "lexical"


def helpful_only(stmt: Any) -> Any:
    """``stmt`` (a select over ``memory_item``) without the exchanges recall would not use: a reply rated
    :data:`LOW_RATING` or lower, or one corrected or regenerated since (the kept version is remembered instead)."""
    return stmt.where(_HELPFUL)


def exchange_ref(conversation_id: int, message_id: int) -> str:
    return f"conversation:{conversation_id}/message:{message_id}"


def parse_ref(ref: str) -> tuple[int, int] | None:
    """``(conversation id, message id)`` of ``"conversation:C/message:M"``; ``None`` for other sources."""
    m = _REF.match(ref or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def exchange_text(user: str, answer: str) -> str:
    """How an exchange is remembered (English labels: it is the model's input)."""
    return f"User: {user.strip()[:300]}\nAssistant: {answer.strip()[:500]}"


@dataclass(frozen=True)
class Standing:
    """Where a remembered reply stands now: the version of its group the user kept, and that one's rating."""

    message_id: int
    kept: Message | None  # None: the message is gone (its conversation was deleted)
    rating: int | None

    @property
    def stale(self) -> bool:
        return self.kept is not None and self.kept.id != self.message_id

    @property
    def low(self) -> bool:
        return self.rating is not None and self.rating <= LOW_RATING


def standings(db: Any, message_ids: Iterable[int]) -> dict[int, Standing]:
    """The :class:`Standing` of each reply in ``message_ids`` (three small queries for all of them)."""
    ids = sorted({int(i) for i in message_ids})
    if not ids:
        return {}
    with db.session() as s:
        msgs = {m.id: m for m in s.exec(select(Message).where(col(Message.id).in_(ids))).all()}
        groups = {m.group_id for m in msgs.values() if m.group_id is not None}
        active = {m.group_id: m for m in s.exec(select(Message).where(
            col(Message.group_id).in_(groups), Message.active == True)).all()} if groups else {}  # noqa: E712
        kept = {i: active.get(m.group_id, m) for i, m in msgs.items()}
        ratings = dict(s.exec(select(Rating.message_id, Rating.likert).where(
            col(Rating.message_id).in_([k.id for k in kept.values()]))).all()) if kept else {}
    return {i: Standing(i, kept.get(i), ratings.get(kept[i].id) if i in kept else None) for i in ids}


def question_for(db: Any, reply: Message) -> str | None:
    """The user turn ``reply`` answers: the kept user message just above the place of its first version."""
    anchor = reply.group_id or reply.id
    with db.session() as s:
        row = s.exec(select(Message.content).where(
            Message.conversation_id == reply.conversation_id, Message.role == "user", Message.active == True,  # noqa: E712
            Message.id < anchor).order_by(col(Message.id).desc()).limit(1)).first()
    return row


def remember_kept(store: Any, db: Any, kept: Message, *, stale: Iterable[Any] = (),
                  persona_key: str | None = None) -> Any | None:
    """Remember the exchange of ``kept`` (once) and forget the ``stale`` items of its other versions; returns the
    kept version's item (``None`` when its question is gone)."""
    ref = exchange_ref(kept.conversation_id, kept.id)
    with _replacing:
        found = store.by_source_refs([ref], kind="exchange")
        item = found[0] if found else None
        if item is None:
            question = question_for(db, kept)
            if question and kept.content.strip() and not mentions_notes(kept.content):
                item = store.add(exchange_text(question, kept.content), kind="exchange",
                                 source=_("conversation {id}").format(id=kept.conversation_id), source_ref=ref,
                                 persona_key=persona_key or kept.persona_key)
        store.forget_many([s.id for s in stale if item is None or s.id != item.id])
    return item


def stale_exchanges(store: Any, db: Any, kept: list[Message]) -> list[tuple[Message, list[Any]]]:
    """For each kept reply, the remembered exchanges of its other versions (only those that have some)."""
    groups = {m.group_id: m for m in kept if m.group_id is not None}
    if not groups:
        return []
    with db.session() as s:
        versions = s.exec(select(Message.id, Message.conversation_id, Message.group_id).where(
            col(Message.group_id).in_(list(groups)))).all()
    refs = {exchange_ref(c, i): g for i, c, g in versions if i != groups[g].id}
    out: dict[int, list[Any]] = {}
    for item in store.by_source_refs(list(refs), kind="exchange"):
        out.setdefault(refs[item.source_ref], []).append(item)
    return [(groups[g], items) for g, items in out.items()]


def screen(hits: list, store: Any, db: Any, *, exclude_ids: set[int]) -> list:
    """``hits`` that may be recalled: stale exchanges replaced by the kept version (remembered now if it was not),
    exchanges whose kept reply is rated low left out. Items of other kinds pass."""
    refs = {h.item.id: parse_ref(h.item.source_ref) for h in hits if h.item.kind == "exchange"}
    known = standings(db, [r[1] for r in refs.values() if r is not None])
    out, seen = [], set(exclude_ids)
    for hit in hits:
        ref = refs.get(hit.item.id)
        st = known.get(ref[1]) if ref is not None else None
        if st is not None and st.kept is not None:
            if st.stale:
                item = remember_kept(store, db, st.kept, stale=[hit.item], persona_key=hit.item.persona_key)
                if item is None:
                    continue
                hit = replace(hit, item=item)
            if st.low:
                continue
        if hit.item.id not in seen:
            seen.add(hit.item.id)
            out.append(hit)
    return out


def _norm(text: str) -> str:
    return " ".join(text.casefold().split()).strip(_ENDS)


@lru_cache(maxsize=8)
def _shown_terms(screen_text: str) -> frozenset[str]:
    return frozenset(terms(screen_text))


def on_screen(turns: Iterable[Any]) -> str:
    """The conversation's visible text, normalised for :func:`already_shown`."""
    return "\n".join(_norm(t.content) for t in turns)


def already_shown(item: Any, conversation_id: int, screen_text: str) -> bool:
    """Whether recalling ``item`` would repeat the conversation: it comes from this conversation, or its text (a
    fact, a passage, both sides of an exchange) is already in it — word for word, or (for a text of
    :data:`COVERED_MIN_WORDS` content words or more) every content word of it, by stem and without diacritics,
    whatever the word order and punctuation ("Rex é o nome do meu cachorro" shows "Meu cachorro se chama Rex"
    only in part: "chama" is missing)."""
    ref = parse_ref(item.source_ref)
    if ref is not None and ref[0] == conversation_id:
        return True
    m = _EXCHANGE.match(item.text) if item.kind == "exchange" else None
    parts = [m.group("user"), m.group("answer")] if m else [item.text]
    if all(_norm(p) in screen_text for p in parts):
        return True
    text = " ".join(parts)
    return len(word_terms(text)) >= COVERED_MIN_WORDS and covered(text, _shown_terms(screen_text))
