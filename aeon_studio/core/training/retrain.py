"""The one-click retrain, headless: what it trains on (a :class:`RetrainPlan`), and the run it starts.

The Retrain button, ``aeon-studio retrain`` and tests all go through :func:`plan_retrain` and
:func:`create_retrain_run`. The data is the persona's earned replies (rated 4 or 5, or corrected by the user;
earlier replies are context only), the newest identity set and the datasets the persona names, deduplicated.
The held-out rows (the dataset store's stable eval split) are never trained on: they give the run its eval loss.

A domain adapter (the scheduled retrain's, see :mod:`.schedule_domains`) trains on one domain's share of the
same plan (:func:`domain_plans`): a row's domain is the one the chat would route its user message to
(:func:`row_domain`), so an adapter learns from exactly the messages it will answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..i18n import _, ngettext

log = logging.getLogger(__name__)

#: Fewer training examples than this and Retrain warns before it starts (the Datasets tab warns under 50 too).
MIN_EXAMPLES = 50
#: With fewer held-out rows than this in the sources, a few training rows are held out instead (by content hash,
#: so the same rows every time), so that every retrain reports an eval loss.
MIN_HELD_OUT = 1
#: Sets smaller than this keep every row for training (holding out one of three says nothing).
MIN_FOR_HOLD_OUT = 5


@dataclass
class RetrainPlan:
    """What a retrain of ``persona_key`` would train on, shown to the user before it starts."""

    persona_key: str | None
    dataset_name: str
    rows: list[dict[str, Any]]
    eval_rows: list[dict[str, Any]]
    #: training examples contributed by each source, in order: "chats" (rated replies and corrections), the
    #: identity set's name, the persona's datasets
    sources: dict[str, int] = field(default_factory=dict)
    minimum: int = MIN_EXAMPLES
    #: the identity set among the sources, if any (named as such when shown)
    identity: str | None = None
    #: the one domain this plan keeps (:func:`domain_plans`); None: every domain
    domain: str | None = None
    #: content hash -> source label of every row (to count a domain's share per source)
    origins: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def too_small(self) -> bool:
        return len(self.rows) < self.minimum

    def describe(self) -> str:
        """One line per source and the held-out count, in the user's language."""
        lines = [ngettext("{n} example to train on:", "{n} examples to train on:", len(self.rows)).format(
            n=len(self.rows))]
        for source, n in self.sources.items():
            if source == "chats":
                label = _("your rated and corrected replies")
            elif source == self.identity:
                label = _("the identity set '{name}'").format(name=source)
            else:
                label = _("the dataset '{name}'").format(name=source)
            lines.append("  • " + ngettext("{n} from {source}", "{n} from {source}", n).format(n=n, source=label))
        lines.append(ngettext("{n} example held out to measure the result (never trained on).",
                              "{n} examples held out to measure the result (never trained on).",
                              len(self.eval_rows)).format(n=len(self.eval_rows)))
        return "\n".join(lines)

    def warnings(self) -> list[str]:
        out = []
        if self.too_small:
            out.append(ngettext(
                "That is fewer than {min} example: the assistant will mostly learn to repeat these few replies, "
                "and may get worse at everything else. Rate more replies (4 or 5 stars) or add a dataset first.",
                "That is fewer than {min} examples: the assistant will mostly learn to repeat these few replies, "
                "and may get worse at everything else. Rate more replies (4 or 5 stars) or add a dataset first.",
                self.minimum).format(min=self.minimum))
        if not self.eval_rows:
            out.append(_("No example could be held out, so there will be no eval loss to judge the result by."))
        placeholders = self.unfilled_placeholders()
        if placeholders:
            from ..datasets.placeholders import unfilled_warning

            out.append(unfilled_warning(placeholders, sum(1 for r in self.rows if _holds_placeholder(r))))
        return out

    def unfilled_placeholders(self) -> dict[str, int]:
        """``{{placeholders}}`` left in the rows to train on (name → rows holding it): an identity template
        imported without its values would teach the assistant to say "{{name}}"."""
        from ..datasets.placeholders import message_placeholders

        counts: dict[str, int] = {}
        for r in self.rows:
            if _holds_placeholder(r):
                for name in message_placeholders(r["messages"]):
                    counts[name] = counts.get(name, 0) + 1
        return counts

    def as_dict(self) -> dict[str, Any]:
        out = {"persona": self.persona_key, "dataset": self.dataset_name, "examples": len(self.rows),
               "held_out": len(self.eval_rows), "sources": dict(self.sources), "minimum": self.minimum,
               "too_small": self.too_small, "warnings": self.warnings()}
        return {**out, "domain": self.domain} if self.domain else out


def _holds_placeholder(row: dict[str, Any]) -> bool:
    return any(isinstance(m.get("content"), str) and "{{" in m["content"] for m in row["messages"])


def ratings_since_last_run(db) -> int:
    """Rated replies created or changed after the last training run started (all of them when there is none)."""
    from sqlmodel import func, select

    from ..storage.tables import Rating
    from ..storage.training_tables import TrainingRun

    with db.session() as s:
        last = s.exec(select(func.max(TrainingRun.created_at))).one()
        q = select(func.count()).select_from(Rating)
        if last is not None:
            q = q.where(Rating.updated_at > last)
        return int(s.exec(q).one())


def latest_identity_set(store) -> str | None:
    """Name of the most recently updated dataset of kind ``identity`` (built by ``build_identity``), or None."""
    sets = [d for d in store.list() if d.get("kind") == "identity" and d.get("examples")]
    if not sets:
        return None
    return max(sets, key=lambda d: d["updated_at"])["name"]


def _sources(persona_key: str | None, store, db, since: Any = None) -> tuple[str, list[str]]:
    from ..datasets.errors import DatasetError
    from ..personas import PersonaStore

    name = f"retrain-{persona_key or 'default'}"
    store.build_from_chats(name, min_likert=4, persona=persona_key, since=since)
    sources = [name]
    identity = latest_identity_set(store)
    if identity:
        sources.append(identity)
    if persona_key:
        for extra in PersonaStore(db).get(persona_key).datasets:
            if not store.exists(extra):
                raise DatasetError(
                    _("Persona '{persona}' names the training dataset '{name}', which does not exist.").format(
                        persona=persona_key, name=extra),
                    hint=_("Remove it from the persona's training datasets (Personas tab, or 'aeon-studio personas "
                           "edit {persona} --datasets …'), or create it again.").format(persona=persona_key))
            if extra not in sources:
                sources.append(extra)
    return name, sources


def _named_sources(datasets: list[str], store) -> tuple[str, list[str]]:
    """``--dataset NAME``...: exactly these datasets (each must exist), in the order given, without repeats."""
    from ..datasets.errors import DatasetError

    sources = list(dict.fromkeys(datasets))
    for name in sources:
        if not store.exists(name):
            raise DatasetError(_("There is no dataset called '{name}'.").format(name=name),
                               hint=_("See 'aeon-studio dataset list' for the datasets you have."))
    return "+".join(sources), sources


def plan_retrain(persona_key: str | None, db, *, minimum: int = MIN_EXAMPLES,
                 datasets: list[str] | None = None, since: Any = None, domain: str | None = None) -> RetrainPlan:
    """What a one-click retrain of ``persona_key`` trains on, from the database ``db``.

    Rebuilds ``retrain-<persona>`` from the persona's chats (replies rated ≥ 4 and the user's corrections), then
    adds the newest identity set and the datasets the persona names, without duplicates (by content hash).
    With ``datasets`` it trains on exactly the train splits of those datasets instead, and holds out their eval
    splits (nothing else is moved: the user chose the data). ``since`` (a datetime or "30d") keeps only the chats
    rated or written since then (the scheduled retrain's "last D days"); datasets are taken whole. ``domain``
    keeps that domain's training and held-out rows only (see :func:`domain_plans`; it may then be empty).

    Raises:
        DatasetError: nothing to train on, or a dataset (named by the persona or in ``datasets``) does not exist.
    """
    from ..datasets import DatasetStore
    from ..datasets.errors import DatasetError
    from ..datasets.records import content_hash

    store = DatasetStore(db)
    if datasets:
        name, sources = _named_sources(datasets, store)
    else:
        name, sources = _sources(persona_key, store, db, since)
    rows: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    seen: set[str] = set()
    origin: dict[str, str] = {}  # content hash -> source label
    for source in sources:
        label = "chats" if source == name and not datasets else source
        for split, bucket in (("eval", held), ("train", rows)):
            for ex in store.examples(source, split=split):
                h = content_hash(ex["messages"])
                if h not in seen:
                    seen.add(h)
                    bucket.append(ex)
                    origin[h] = label
    if not rows and datasets:
        raise DatasetError(_("The datasets {names} have no training examples.").format(
            names=", ".join(f"'{d}'" for d in sources)), hint=_("Add examples to them, or retrain without --dataset."))
    if not rows:
        raise DatasetError(
            _("There is nothing to retrain on yet: no reply is rated 4 or 5 stars, there are no corrections, "
              "and no identity set or persona dataset has examples."),
            hint=_("Rate some replies 4 or 5 stars, or define an identity set, before retraining."))
    if not datasets and len(held) < MIN_HELD_OUT and len(rows) >= MIN_FOR_HOLD_OUT:
        rows, moved = _hold_out(rows, max(MIN_HELD_OUT, len(rows) // 10))
        held += moved
    counts: dict[str, int] = {}
    for r in rows:
        label = origin[content_hash(r["messages"])]
        counts[label] = counts.get(label, 0) + 1
    log.info("retrain %s: %d examples (%d held out) from %s", name, len(rows), len(held), ", ".join(sources))
    plan = RetrainPlan(persona_key, name, rows, held, counts, minimum, identity=latest_identity_set(store),
                       origins=origin)
    if domain is None:
        return plan
    return domain_plans(plan).get(domain) or _domain_plan(plan, domain, [], [])


#: ``messages -> domain`` of one training row (default :func:`row_domain`).
DomainOf = Callable[[list[dict[str, Any]]], str]


def row_domain(messages: list[dict[str, Any]]) -> str:
    """The domain of a training row as the chat routes it: its last user turn (the message the reply answers),
    classified by :func:`aeon_studio.core.domains.classifier` with this home's keywords and examples."""
    from ..domains import GENERAL, classifier

    text = next((str(m.get("content") or "") for m in reversed(messages)
                 if m.get("role") == "user" and str(m.get("content") or "").strip()), "")
    return classifier().classify(text).domain if text else GENERAL


def domain_plans(plan: RetrainPlan, *, domain_of: DomainOf | None = None) -> dict[str, RetrainPlan]:
    """``plan`` split by domain, name → that domain's plan (same minimum), sorted by name.

    A domain's plan holds its rows of ``plan`` only: the training data rules were applied by the builders that made
    ``plan``, and a row held out there stays held out. A domain with no held-out row holds out a few of its own
    (as :func:`plan_retrain` does), so each domain's gate has items of that domain to judge by.
    """
    domain_of = domain_of or row_domain
    train: dict[str, list[dict[str, Any]]] = {}
    held: dict[str, list[dict[str, Any]]] = {}
    for bucket, rows in ((train, plan.rows), (held, plan.eval_rows)):
        for r in rows:
            bucket.setdefault(domain_of(r["messages"]), []).append(r)
    return {d: _domain_plan(plan, d, train.get(d, []), held.get(d, [])) for d in sorted(set(train) | set(held))}


def _domain_plan(plan: RetrainPlan, domain: str, rows: list[dict[str, Any]],
                 held: list[dict[str, Any]]) -> RetrainPlan:
    from ..datasets.records import content_hash

    if len(held) < MIN_HELD_OUT and len(rows) >= MIN_FOR_HOLD_OUT:
        rows, moved = _hold_out(rows, max(MIN_HELD_OUT, len(rows) // 10))
        held = held + moved
    counts: dict[str, int] = {}
    for r in rows:
        label = plan.origins.get(content_hash(r["messages"]), plan.dataset_name)
        counts[label] = counts.get(label, 0) + 1
    return RetrainPlan(plan.persona_key, f"{plan.dataset_name}:{domain}", rows, held, counts, plan.minimum,
                       identity=plan.identity, domain=domain, origins=plan.origins)


def _hold_out(rows: list[dict[str, Any]], n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Move ``n`` rows (the same ones every time: lowest content hash) out of ``rows``."""
    from ..datasets.records import content_hash

    order = sorted(range(len(rows)), key=lambda i: content_hash(rows[i]["messages"]))
    out = set(order[:n])
    return [r for i, r in enumerate(rows) if i not in out], [rows[i] for i in sorted(out)]


def create_retrain_run(plan: RetrainPlan, db, *, preset: str = "quick", **overrides: Any):
    """The training run for ``plan`` (not started: see :func:`aeon_studio.core.training.runs.start`)."""
    from . import runs

    return runs.create_run(rows=plan.rows, eval_rows=plan.eval_rows, dataset_name=plan.dataset_name,
                           preset=preset, persona_key=plan.persona_key, db=db, **overrides)


def finished_text(row) -> str:
    """What a finished retrain learned, said plainly: the held-out loss (not the training loss) and the checks."""
    m = row.metrics or {}
    checks = m.get("checks") or {}
    n, held = m.get("examples") or 0, m.get("eval_examples") or 0
    lines = [ngettext("The new version {a} was trained on {n} example.",
                      "The new version {a} was trained on {n} examples.", n).format(a=row.adapter_id, n=n)]
    if checks.get("ok") is False:
        lines.append(_("It failed its checks, so it is not offered: {failures}").format(
            failures="; ".join(checks.get("failures") or [])))
        lines.append(_("The answers it gave are in {log}.").format(log=checks.get("log")))
        lines.append(_("Rate more replies (4 or 5 stars) or add a dataset, then retrain."))
        return "\n".join(lines)
    start, end = m.get("eval_loss_start"), m.get("eval_loss")
    if held and isinstance(end, (int, float)) and isinstance(start, (int, float)):
        lines.append(ngettext(
            "On {n} held-out example it never saw, the loss went from {a:.2f} to {b:.2f} (lower is better).",
            "On {n} held-out examples it never saw, the loss went from {a:.2f} to {b:.2f} (lower is better).",
            held).format(n=held, a=start, b=end))
        if end > start:
            lines.append(_("That is worse than before training: the new version may answer worse."))
    else:
        lines.append(_("No example was held out, so there is no measure of how it does on new questions."))
    lines.append(_("The training loss only shows how well it memorised its examples; it is not a measure of "
                   "quality."))
    if checks.get("ok"):
        lines.append(_("It passed its checks in llama.cpp (loads, stops, does not repeat itself)."))
    elif checks.get("skipped"):
        lines.append(_("Its checks were skipped: {why}.").format(why=checks["skipped"]))
    return "\n".join(lines)
