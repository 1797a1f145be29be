"""Question/answer candidates from document passages, generated with the local model (llama.cpp).

For each passage the model is asked for questions the passage answers, then for each question an answer
grounded in the passage. Candidates are stored as ``pending`` rows of ``dataset_candidate``; the user accepts
(possibly edited) or rejects them (:meth:`.store.DatasetStore.accept_candidate` / ``reject_candidate``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import _
from .errors import DatasetError

QUESTION_PROMPT = ("Read the text and write {n} short questions that the text answers. "
                   "Write one question per line, nothing else.\n\nText:\n{passage}")
ANSWER_PROMPT = ("Answer the question using only the text. Answer in one or two sentences.\n\nText:\n{passage}"
                 "\n\nQuestion: {question}")
_NUMBERING = re.compile(r"^\s*(?:[-*•]|\d+[.)]|Q\d*[:.)]|Question\s*\d*[:.)]|Pergunta\s*\d*[:.)])\s*", re.I)


@dataclass
class Candidate:
    """A generated question/answer pair waiting for review."""

    question: str
    answer: str
    passage_ref: str
    status: str = "pending"
    passage: str = ""
    model_id: str = ""


def parse_questions(text: str, n: int) -> list[str]:
    """Up to ``n`` distinct questions from the model's output (numbering and bullets removed); lines ending
    with ``?`` first, then other non-empty lines."""
    lines = [_NUMBERING.sub("", ln).strip().strip('"') for ln in text.splitlines()]
    lines = [ln for ln in lines if len(ln) > 3]
    ordered = [ln for ln in lines if ln.endswith("?")] + [ln for ln in lines if not ln.endswith("?")]
    out: list[str] = []
    for ln in ordered:
        if ln.lower() not in {o.lower() for o in out}:
            out.append(ln)
        if len(out) >= n:
            break
    return out


def _engine(model_id: str | None):
    from ..chat.engine import get_engine
    from ..models.registry import ModelRegistry
    from ..settings import get_settings

    registry = ModelRegistry()
    info = registry.get(model_id or get_settings().default_model)
    if not info.chat:
        raise DatasetError(_("The model '{id}' is a base model without a chat template.").format(id=info.id),
                           hint=_("Use a chat model, e.g. --model smollm2-135m-instruct."))
    return info.id, get_engine(registry.resolve_path(info.id), chat_format=info.chat_format)


def generate_questions(passages: Iterable[tuple[str, str]] | Iterable[str], *, model_id: str | None = None,
                       per_passage: int = 2, max_tokens: int = 160, seed: int = 0,
                       cancel: threading.Event | None = None,
                       progress: Callable[[int, int], None] | None = None) -> list[Candidate]:
    """Candidates for ``passages`` (``(ref, text)`` pairs or plain strings) with the local chat model.

    Runs on the calling thread (the GUI calls it from a worker); ``cancel`` stops between generations;
    ``progress(done, total)`` counts passages.
    """
    from ..chat.engine import ChatParams

    items = [(p if isinstance(p, tuple) else (f"passage:{i}", p)) for i, p in enumerate(passages, 1)]
    mid, engine = _engine(model_id)
    out: list[Candidate] = []
    q_params = ChatParams(temperature=0.3, top_p=0.9, max_tokens=max(24, 24 * per_passage), seed=seed)
    a_params = ChatParams(temperature=0.2, top_p=0.9, max_tokens=max_tokens, seed=seed)
    for done, (ref, text) in enumerate(items):
        if cancel is not None and cancel.is_set():
            break
        prompt = QUESTION_PROMPT.format(n=per_passage, passage=text)
        raw = engine.complete([{"role": "user", "content": prompt}], q_params)
        for question in parse_questions(raw, per_passage):
            if cancel is not None and cancel.is_set():
                break
            answer = engine.complete([{"role": "user", "content": ANSWER_PROMPT.format(passage=text,
                                                                                      question=question)}],
                                     a_params).strip()
            if answer:
                out.append(Candidate(question=question, answer=answer, passage_ref=ref, passage=text,
                                     model_id=mid))
        if progress:
            progress(done + 1, len(items))
    return out


def generate_for_dataset(name: str, *, sources: list[str | Path] | None = None, per_passage: int = 2,
                         max_passages: int | None = None, model_id: str | None = None, max_tokens: int = 160,
                         cancel: threading.Event | None = None,
                         progress: Callable[[int, int], None] | None = None) -> list[tuple[int, Candidate]]:
    """Generate candidates for the dataset ``name`` from ``sources`` (documents, whose passages are also stored)
    or from its stored passages; store them as pending; return ``(id, candidate)`` pairs."""
    from .documents import read_document
    from .store import DatasetStore

    store = DatasetStore()
    if sources:
        passages: list[tuple[str, str]] = []
        for src in sources:
            passages.extend(read_document(src))
        store.add_passages(name, passages)
    else:
        passages = [(p.ref, p.text) for p in store.passages(name)]
    if not passages:
        raise DatasetError(_("The dataset '{name}' has no document passages.").format(name=name),
                           hint=_("Pass documents with --from FILE, or import TXT/MD/PDF files first."))
    if max_passages:
        passages = passages[:max_passages]
    cands = generate_questions(passages, model_id=model_id, per_passage=per_passage, max_tokens=max_tokens,
                               cancel=cancel, progress=progress)
    ids = store.add_candidates(name, cands)
    return list(zip(ids, cands))


def list_candidates(name: str, status: str | None = "pending") -> list[Any]:
    """:meth:`.store.DatasetStore.list_candidates` on the default store."""
    from .store import DatasetStore

    return DatasetStore().list_candidates(name, status=status)


def accept_candidate(candidate_id: int, question: str | None = None, answer: str | None = None) -> int:
    """:meth:`.store.DatasetStore.accept_candidate` on the default store."""
    from .store import DatasetStore

    return DatasetStore().accept_candidate(candidate_id, question=question, answer=answer)


def reject_candidate(candidate_id: int) -> None:
    """:meth:`.store.DatasetStore.reject_candidate` on the default store."""
    from .store import DatasetStore

    DatasetStore().reject_candidate(candidate_id)
