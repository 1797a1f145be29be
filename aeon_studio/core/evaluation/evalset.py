"""The frozen evaluation set of a persona: held-out rows of its retrain sources plus its golden prompts.

The held-out rows are the ones :func:`aeon_studio.core.training.retrain.plan_retrain` never trains on
(the dataset store's hash-based split), so every version of a persona is measured on the same questions.
Each item carries its content hash; :attr:`EvalSet.fingerprint` says whether two evaluations used the
same set.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from ..i18n import _, ngettext
from .errors import EvaluationError

log = logging.getLogger(__name__)

#: ``EvalItem.source`` of a held-out row that is not from the identity set.
HELD_OUT = "held-out"
#: ``EvalItem.source`` of a row from the persona's identity set.
IDENTITY = "identity"


@dataclass
class EvalItem:
    """One held-out conversation: ``messages`` is the prompt, ``reference`` the assistant reply it had."""

    id: str
    messages: list[dict[str, Any]]
    reference: str
    source: str
    hash: str


@dataclass
class EvalSet:
    """What an evaluation scores both models on. ``golden`` holds dicts with ``id``, ``prompt``, ``must``,
    ``must_not`` and ``regex``."""

    persona_key: str | None
    items: list[EvalItem] = field(default_factory=list)
    golden: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """sha256 of the sorted item hashes and the golden prompts' ids and contents."""
        golden = sorted([g["id"], g["prompt"], list(g.get("must") or []), list(g.get("must_not") or []),
                         bool(g.get("regex"))] for g in self.golden)
        data = {"items": sorted(i.hash for i in self.items), "golden": golden}
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()

    @property
    def identity_items(self) -> list[EvalItem]:
        return [i for i in self.items if i.source == IDENTITY]

    def manifest(self) -> list[dict[str, str]]:
        """Exactly what was used, for the stored evaluation: ``{"id", "hash"}`` per item and golden prompt."""
        golden = [{"id": f"golden:{g['id']}", "hash": _golden_hash(g)} for g in self.golden]
        return [{"id": i.id, "hash": i.hash} for i in self.items] + golden

    def describe(self) -> str:
        """One line in the user's language, e.g. "12 held-out examples and 3 golden prompts"."""
        items = ngettext("{n} held-out example", "{n} held-out examples", len(self.items)).format(n=len(self.items))
        golden = ngettext("{n} golden prompt", "{n} golden prompts", len(self.golden)).format(n=len(self.golden))
        return _("{items} and {golden}").format(items=items, golden=golden)


def _golden_hash(g: dict[str, Any]) -> str:
    data = [g["prompt"], list(g.get("must") or []), list(g.get("must_not") or []), bool(g.get("regex"))]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


def golden_dicts(persona_key: str | None, db) -> list[dict[str, Any]]:
    """The persona's golden prompts as plain dicts, oldest first (none without a persona)."""
    from .golden import as_dict, list_golden

    if persona_key is None:
        return []
    return [as_dict(g) for g in list_golden(persona_key, db)]


def item_from_row(messages: list[dict[str, Any]], source: str = HELD_OUT) -> EvalItem | None:
    """An item from a conversation whose last turn is the assistant's (None otherwise)."""
    from ..datasets.records import content_hash

    last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    if last < 1 or not str(messages[last].get("content", "")).strip():
        return None
    h = content_hash(messages[:last + 1])
    prompt = [{"role": m["role"], "content": m["content"]} for m in messages[:last]]
    return EvalItem(id=h[:12], messages=prompt, reference=str(messages[last]["content"]), source=source, hash=h)


def build_eval_set(persona_key: str | None, db, *, max_items: int = 40, domain: str | None = None) -> EvalSet:
    """The held-out rows of the persona's retrain sources (at most ``max_items``, the same ones every time:
    lowest content hash first) and the persona's golden prompts.

    With ``domain``: that domain's held-out rows and the golden prompts the chat would route to it (a domain
    adapter only ever answers that domain's messages; see :func:`aeon_studio.core.training.retrain.domain_plans`).

    Raises:
        EvaluationError: there are neither held-out rows nor golden prompts (the hint says how to add them).
    """
    from ..datasets import DatasetStore
    from ..datasets.errors import DatasetError
    from ..datasets.identity import is_keep_answering
    from ..datasets.records import content_hash
    from ..training.retrain import plan_retrain, row_domain

    rows: list[dict[str, Any]] = []
    identity_hashes: set[str] = set()
    try:
        plan = plan_retrain(persona_key, db, domain=domain)
        rows = plan.eval_rows
        if plan.identity:  # its "keep answering normally" rows are ordinary held-out rows, not identity ones
            identity_hashes = {content_hash(ex["messages"])
                               for ex in DatasetStore(db).examples(plan.identity, split="all")
                               if not is_keep_answering(ex["messages"])}
    except DatasetError as exc:  # nothing to retrain on: golden prompts alone may still judge
        log.info("no held-out rows for %s: %s", persona_key, exc.message)
    items: dict[str, EvalItem] = {}
    for ex in rows:
        source = IDENTITY if content_hash(ex["messages"]) in identity_hashes else HELD_OUT
        item = item_from_row(ex["messages"], source)
        if item is not None:
            items.setdefault(item.hash, item)
    chosen = [items[h] for h in sorted(items)[:max(0, max_items)]]
    golden = golden_dicts(persona_key, db)
    if domain is not None:
        golden = [g for g in golden if row_domain([{"role": "user", "content": g["prompt"]}]) == domain]
    if not chosen and not golden and domain is not None:
        raise EvaluationError(
            _("There is nothing to evaluate {persona} on in the domain '{domain}': no held-out examples and no "
              "golden prompts of that domain.").format(persona=persona_key, domain=domain),
            hint=_("Add a golden prompt of that domain, or rate more of its replies 4 or 5 stars so some can be "
                   "held out."))
    if not chosen and not golden:
        who = persona_key or _("the default persona")
        raise EvaluationError(
            _("There is nothing to evaluate {persona} on: no held-out examples and no golden prompts.").format(
                persona=who),
            hint=_("Add golden prompts ('aeon-studio golden add \"Who are you?\" --persona KEY --must NAME', or "
                   "the Evaluation tab), or rate more replies 4 or 5 stars so some can be held out."))
    return EvalSet(persona_key, chosen, golden)
