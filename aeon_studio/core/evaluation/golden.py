"""Golden prompts: a persona's questions with what the answer must and must not contain.

e.g. "Quem é você?" must contain "Aeon", must not contain "SmolLM". Every evaluation of the persona asks
them; the gate never promotes a candidate that passes fewer of them than the model it would replace.
Everything is validated before anything is stored: a blank prompt, no criterion, or a regular expression
that does not compile raise :class:`EvaluationError` and leave the database as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlmodel import col, select

from ..errors import NotFoundError
from ..i18n import _
from ..storage import Database, get_database
from ..storage.changes import GOLDEN
from ..storage.evaluation_tables import GoldenPrompt
from .errors import EvaluationError


def _db(db: Database | None) -> Database:
    return db or get_database()


def _clean(entries: Iterable[str] | None) -> list[str]:
    """Entries stripped, blanks and repeats dropped (order kept)."""
    out: list[str] = []
    for entry in entries or ():
        text = str(entry).strip()
        if text and text not in out:
            out.append(text)
    return out


def _validate(prompt: str, must: list[str], must_not: list[str], regex: bool) -> str:
    prompt = (prompt or "").strip()
    if not prompt:
        raise EvaluationError(_("A golden prompt needs a question."),
                              hint=_("Write the question the assistant should be asked, e.g. \"Who are you?\"."))
    if not must and not must_not:
        raise EvaluationError(
            _("The golden prompt \"{prompt}\" says nothing about its answer.").format(prompt=prompt),
            hint=_("Give at least one text the answer must contain (--must) or must not contain (--must-not)."))
    if regex:
        for pattern in must + must_not:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise EvaluationError(
                    _("The regular expression \"{pattern}\" does not compile: {error}.").format(pattern=pattern,
                                                                                              error=exc),
                    hint=_("Fix the pattern (escape special characters such as ( ) [ ] . * + ? with a backslash), "
                           "or drop --regex to match it as plain text.")) from exc
    return prompt


def _persona_exists(persona_key: str, db: Database) -> None:
    from ..personas import PersonaStore

    PersonaStore(db).get(persona_key)  # NotFoundError with its hint when unknown


def add_golden(persona_key: str, prompt: str, *, must: Iterable[str] = (), must_not: Iterable[str] = (),
               regex: bool = False, db: Database | None = None) -> GoldenPrompt:
    """Store a golden prompt for ``persona_key``.

    Args:
        persona_key: The persona whose evaluations ask it.
        prompt: The question.
        must: Texts (or regular expressions with ``regex``) the answer must contain, case-insensitively.
        must_not: Texts (or regular expressions) the answer must not contain.
        regex: Match every entry as a Python regular expression instead of a substring.
        db: The database (default: the settings' one).

    Returns:
        The stored row.

    Raises:
        EvaluationError: Blank prompt, no criterion, or a pattern that does not compile (nothing stored).
        NotFoundError: No such persona.
    """
    db = _db(db)
    must_l, must_not_l = _clean(must), _clean(must_not)
    text = _validate(prompt, must_l, must_not_l, regex)
    _persona_exists(persona_key, db)
    with db.session() as s:
        row = GoldenPrompt(persona_key=persona_key, prompt=text, must=must_l, must_not=must_not_l, regex=regex)
        s.add(row)
        s.flush()
        s.refresh(row)
    db.changes.emit(GOLDEN)
    return row


def list_golden(persona_key: str | None = None, db: Database | None = None) -> list[GoldenPrompt]:
    """The golden prompts of ``persona_key`` (every persona's when None), oldest first."""
    with _db(db).session() as s:
        q = select(GoldenPrompt)
        if persona_key is not None:
            q = q.where(GoldenPrompt.persona_key == persona_key)
        return list(s.exec(q.order_by(col(GoldenPrompt.id))).all())


def get_golden(golden_id: int, db: Database | None = None) -> GoldenPrompt:
    """One golden prompt by id; :class:`NotFoundError` when there is none."""
    with _db(db).session() as s:
        row = s.get(GoldenPrompt, golden_id)
    if row is None:
        raise NotFoundError(_("No golden prompt with id {id}.").format(id=golden_id),
                            hint=_("See 'aeon-studio golden list'."))
    return row


def update_golden(golden_id: int, *, prompt: str | None = None, must: Iterable[str] | None = None,
                  must_not: Iterable[str] | None = None, regex: bool | None = None,
                  db: Database | None = None) -> GoldenPrompt:
    """Change a golden prompt (the arguments left None keep their value); validated like :func:`add_golden`."""
    db = _db(db)
    old = get_golden(golden_id, db)
    must_l = _clean(old.must if must is None else must)
    must_not_l = _clean(old.must_not if must_not is None else must_not)
    use_regex = old.regex if regex is None else regex
    text = _validate(old.prompt if prompt is None else prompt, must_l, must_not_l, use_regex)
    with db.session() as s:
        row = s.get(GoldenPrompt, golden_id)
        row.prompt, row.must, row.must_not, row.regex = text, must_l, must_not_l, use_regex
        s.add(row)
        s.flush()
        s.refresh(row)
    db.changes.emit(GOLDEN)
    return row


def remove_golden(golden_id: int, db: Database | None = None) -> GoldenPrompt:
    """Delete a golden prompt; returns what was removed. :class:`NotFoundError` when there is none."""
    db = _db(db)
    row = get_golden(golden_id, db)
    with db.session() as s:
        s.delete(s.get(GoldenPrompt, golden_id))
    db.changes.emit(GOLDEN)
    return row


def golden_failures(reply: str, golden: GoldenPrompt | dict[str, Any]) -> list[str]:
    """The criteria ``reply`` misses: ``"must: X"`` for each absent entry, ``"must not: Y"`` for each present one.

    Matching is case-insensitive; with ``regex`` each entry is searched as a regular expression. An empty
    list means the reply passes.
    """
    g = as_dict(golden) if isinstance(golden, GoldenPrompt) else golden
    use_regex = bool(g.get("regex"))

    def found(entry: str) -> bool:
        if use_regex:
            return re.search(entry, reply, re.IGNORECASE) is not None
        return entry.casefold() in reply.casefold()

    misses = [_("must: {text}").format(text=e) for e in g.get("must") or [] if not found(e)]
    return misses + [_("must not: {text}").format(text=e) for e in g.get("must_not") or [] if found(e)]


def as_dict(golden: GoldenPrompt) -> dict[str, Any]:
    """A plain dict of the row (for eval sets, JSON output and fingerprints)."""
    return {"id": golden.id, "persona_key": golden.persona_key, "prompt": golden.prompt, "must": list(golden.must),
            "must_not": list(golden.must_not), "regex": golden.regex,
            "created_at": golden.created_at.isoformat() if golden.created_at else None}


__all__ = ["add_golden", "as_dict", "get_golden", "golden_failures", "list_golden", "remove_golden",
           "update_golden"]
