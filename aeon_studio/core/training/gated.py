"""The gated retrain: after a retrain run, evaluate the new adapter against the active one, judge, activate.

Kept apart from :mod:`.retrain` because the evaluation builds its frozen set from ``retrain.plan_retrain``:
``retrain`` importing the evaluation back would be an import cycle. The CLI's ``retrain``, the Retrain button and
``bench/retrain_e2e.py`` all end a retrain with :func:`finish_retrain`.

A domain adapter (``domain=``) is judged the same way on that domain's items, against the adapter that answers
the domain now, and a better one is bound to the domain (the persona's ``domain_adapters``, see
:mod:`aeon_studio.core.chat.routing`): the persona's own adapter is never touched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..i18n import _


@dataclass
class GateOutcome:
    """What became of a finished retrain: the gate's verdict and both models' numbers (see :func:`finish_retrain`).

    ``promoted`` is None when the gate could not judge (nothing to evaluate on); ``candidate`` and ``against`` are
    the two models' metrics (``ModelMetrics`` as a dict, without the replies), empty when there was no evaluation.
    """

    adapter: str
    promoted: bool | None
    reasons: list[str]
    candidate: dict[str, Any]
    against: dict[str, Any]
    #: the stored evaluation: id, eval_set_hash, items, seconds (None when there was none)
    evaluation: dict[str, Any] | None = None
    #: "gate" when the gate decided, "user" for ``--no-gate``
    by: str = "gate"
    #: True when the adapter is usable (not rejected by its llama.cpp checks)
    usable: bool = True
    #: the domain a domain adapter was judged for (None: the persona's own adapter)
    domain: str | None = None

    def as_event(self) -> dict[str, Any]:
        """The CLI's final ``gate`` JSON event (with ``domain`` for a domain adapter)."""
        ev = {"event": "gate", "adapter": self.adapter, "promoted": self.promoted, "reasons": list(self.reasons),
              "candidate": self.candidate, "against": self.against}
        return {**ev, "domain": self.domain} if self.domain else ev


def _metrics(m: Any) -> dict[str, Any]:
    from dataclasses import asdict, is_dataclass

    d = asdict(m) if is_dataclass(m) else dict(m)
    d.pop("replies", None)  # every greedy reply: kept in the stored report, too long for an event or a dialog
    return d


def _record(adapter_id: str, db, *, verdict: dict[str, Any], status: str | None,
            evaluation_id: int | None = None) -> None:
    """Store the verdict (and the evaluation, and the status) on the adapter in one write."""
    from ..storage.training_tables import AdapterRow

    with db.session() as s:
        row = s.get(AdapterRow, adapter_id)
        row.verdict = verdict
        if evaluation_id is not None:
            row.evaluation_id = evaluation_id
        if status is not None:
            row.status = status
        s.add(row)
    db.changes.emit("adapters")


def _evaluation_id(comparison: Any, adapter_id: str, db) -> int | None:
    """The id of the EvaluationRow ``evaluate`` stored for this comparison (the newest one of the candidate)."""
    found = getattr(comparison, "evaluation_id", None)
    if found is not None:
        return int(found)
    from sqlmodel import select

    from ..storage.evaluation_tables import EvaluationRow

    with db.session() as s:
        row = s.exec(select(EvaluationRow).where(EvaluationRow.candidate == adapter_id)
                     .order_by(EvaluationRow.id.desc())).first()
    return row.id if row is not None else None


def finish_retrain(run_id: str, db, *, gate: bool = True, progress=None, should_stop=None,
                   domain: str | None = None) -> GateOutcome:
    """After a retrain run is done: evaluate the new adapter against the persona's active one, judge, activate.

    The candidate and the persona's active adapter (or the base model) are scored on the persona's frozen
    evaluation set in one llama.cpp run; the gate promotes the candidate only when it is not worse (see
    :func:`aeon_studio.core.evaluation.gate.judge`). A promoted adapter becomes the persona's active one; any other
    is kept as ``not-promoted`` (usable, promotable by hand). With ``gate=False`` the adapter is activated without
    judging (the verdict says the user chose it). The verdict and the evaluation are stored on the adapter.
    An adapter that failed its llama.cpp checks is neither evaluated nor activated (``usable`` is False).

    Args:
        run_id: a retrain run that ended ``done``.
        db: the database.
        gate: judge before activating (False: ``--no-gate``).
        progress: passed to :func:`aeon_studio.core.evaluation.evaluate.evaluate`.
        should_stop: passed to ``evaluate`` (Cancel).
        domain: judge a domain adapter: on the domain's held-out items and golden prompts, against the adapter
            the chat routes that domain to now; a better one is bound to the domain, never made the persona's.

    Raises:
        TrainingError: the run did not finish with an adapter.
        ValidationError: the run trained no persona (nothing to activate).
    """
    from ..errors import ValidationError
    from ..export.adapters import get_adapter, promote
    from . import runs
    from .data import TrainingError
    from .events import RunStatus

    row = runs.get_run(run_id, db)
    if row.status != RunStatus.DONE or not row.adapter_id:
        raise TrainingError(_("Run {id} did not finish with a new adapter ({status}): there is nothing to "
                              "evaluate.").format(id=run_id, status=row.status),
                            hint=_("See 'aeon-studio runs show {id}' for what happened.").format(id=run_id))
    if not row.persona_key:
        raise ValidationError(_("Run {id} did not train a persona: there is nothing to activate.").format(id=run_id),
                              hint=_("Retrain with --persona KEY."))
    info = get_adapter(row.adapter_id, db)
    if info.status == "rejected":
        checks = info.metrics.get("checks") or {}
        return GateOutcome(info.id, False, [_("it failed its checks in llama.cpp: {failures}").format(
            failures="; ".join(checks.get("failures") or []) or _("no details"))], {}, {}, usable=False,
            domain=domain)
    if domain is not None:
        return _gate(run_id, info.id, row.persona_key, db, progress=progress, should_stop=should_stop,
                     domain=domain)
    if not gate:
        promote(info.id, db, by="user", persona_key=row.persona_key)
        reasons = [_("activated without evaluation (--no-gate)")]
        _record(info.id, db, verdict={"promoted": True, "reasons": reasons, "by": "user"}, status=None)
        return GateOutcome(info.id, True, reasons, {}, {}, by="user")
    return _gate(run_id, info.id, row.persona_key, db, progress=progress, should_stop=should_stop)


def _eval_set(run_id: str, persona_key: str, db, max_items: int = 40):
    """The persona's frozen set, plus the run's own held-out rows when it trained on other data (``--dataset``).

    For an automatic retrain both are the same rows; a ``--dataset`` run is also measured on what it held out of
    the datasets it was given. The same rows every time (lowest content hash first), at most ``max_items``."""
    return _frozen_set(run_id, persona_key, db, max_items)


def _frozen_set(run_id: str, persona_key: str, db, max_items: int, *, domain: str | None = None):
    from ..evaluation.errors import EvaluationError
    from ..evaluation.evalset import EvalSet, build_eval_set, item_from_row
    from . import runs
    from .data import read_jsonl

    path = runs.run_dir(run_id) / "eval.jsonl"
    extra = [item_from_row(r["messages"]) for r in (read_jsonl(path) if path.is_file() else [])
             if isinstance(r.get("messages"), list)]
    extra = [i for i in extra if i is not None]
    try:
        base = build_eval_set(persona_key, db, max_items=max_items, domain=domain)
    except EvaluationError:
        if not extra:
            raise
        base = EvalSet(persona_key)
    items = {i.hash: i for i in extra}
    items.update({i.hash: i for i in base.items})  # the persona's own items keep their source (identity)
    base.items = [items[h] for h in sorted(items)[:max_items]]
    return base


def _domain_eval_set(run_id: str, persona_key: str, domain: str, db, max_items: int = 40):
    """The domain's frozen set (its held-out rows and golden prompts), plus what the run itself held out (rows
    of that domain too: the run trained on the domain's plan)."""
    return _frozen_set(run_id, persona_key, db, max_items, domain=domain)


def domain_rival(persona_key: str, domain: str, db) -> str:
    """What answers ``domain`` now, to judge a domain adapter against: the first adapter of the chat's route
    (the domain's, the general one, the persona's) that still exists, else ``"base"``."""
    from ..chat.routing import candidates
    from ..errors import NotFoundError
    from ..export.adapters import get_adapter
    from ..personas import PersonaStore

    for _source, aid in candidates(PersonaStore(db).get(persona_key), domain):
        try:
            get_adapter(aid, db)
        except NotFoundError:  # deleted: the chat skips it as well
            continue
        return aid
    return "base"


def bind_domain(persona_key: str, domain: str, adapter_id: str, db) -> None:
    """Make ``adapter_id`` the persona's adapter for ``domain`` (its route map); the rest of the map, the
    persona's own adapter and whether routing is on stay as they are."""
    from ..chat.routing import set_routing
    from ..domains import domain_names
    from ..personas import PersonaStore

    set_routing(PersonaStore(db), persona_key, mapping={domain: adapter_id}, known_domains=domain_names())


def _gate(run_id: str, adapter_id: str, persona_key: str, db, *, progress, should_stop,
          domain: str | None = None) -> GateOutcome:
    from ..evaluation.errors import EvaluationError
    from ..evaluation.evaluate import evaluate
    from ..evaluation.gate import judge
    from ..export.adapters import promote

    against = "active" if domain is None else domain_rival(persona_key, domain, db)
    try:
        eval_set = (_eval_set(run_id, persona_key, db) if domain is None
                    else _domain_eval_set(run_id, persona_key, domain, db))
        comparison = evaluate(adapter_id, against=against, persona_key=persona_key, db=db, progress=progress,
                              should_stop=should_stop, eval_set=eval_set)
    except EvaluationError as err:
        # never promote silently: nothing to judge by means "could not judge", and the previous one stays
        reasons = [getattr(err, "message", str(err))] + ([err.hint] if getattr(err, "hint", None) else [])
        _record(adapter_id, db, verdict={"promoted": None, "reasons": reasons, "by": "gate"}, status="not-promoted")
        return GateOutcome(adapter_id, None, reasons, {}, {}, domain=domain)
    verdict = judge(comparison)
    evaluation_id = _evaluation_id(comparison, adapter_id, db)
    if verdict.promoted and domain is not None:
        bind_domain(persona_key, domain, adapter_id, db)
    elif verdict.promoted:
        promote(adapter_id, db, by="gate", persona_key=persona_key)
    _record(adapter_id, db, verdict={"promoted": verdict.promoted, "reasons": list(verdict.reasons), "by": "gate"},
            status=None if verdict.promoted else "not-promoted", evaluation_id=evaluation_id)
    summary = {"id": evaluation_id, "eval_set_hash": comparison.eval_set_hash, "items": len(comparison.items),
               "seconds": comparison.seconds}
    return GateOutcome(adapter_id, verdict.promoted, list(verdict.reasons), _metrics(comparison.candidate),
                       _metrics(comparison.against), evaluation=summary, domain=domain)


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _ratio(m: dict[str, Any], hits: str, total: str) -> str:
    if m.get(total) in (None, 0):
        return "—"
    return f"{m.get(hits) or 0}/{m[total]}"


def _speed_digits(value: Any) -> int:
    # a slow machine writes under 10 tokens/s: "0" would read as "nothing", so one decimal there
    return 1 if isinstance(value, (int, float)) and abs(value) < 10 else 0


def side_by_side(out: GateOutcome, number: Callable[[Any, int], str] | None = None) -> list[tuple[str, str, str]]:
    """The evaluation's numbers as rows of (label, active model, new version), for the CLI and the result dialog.

    Empty when there was no evaluation (``--no-gate``, a rejected adapter, nothing to judge by).

    Args:
        number: writes a number with that many decimals (the app passes its locale's, e.g. "9,70" in pt_BR);
            default: Python's, with a decimal point.
    """
    a, c = out.against, out.candidate
    if not a or not c:
        return []

    def fmt(value: Any, digits: int = 2) -> str:
        if number is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            return number(value, digits if isinstance(value, float) else 0)
        return _fmt(value, digits)

    rows = [
        (_("perplexity (lower is better)"), fmt(a.get("perplexity")), fmt(c.get("perplexity"))),
        (_("BLEU"), fmt(a.get("bleu"), 1), fmt(c.get("bleu"), 1)),
        (_("chrF"), fmt(a.get("chrf"), 1), fmt(c.get("chrf"), 1)),
        (_("golden prompts passed"), _ratio(a, "golden_passed", "golden_total"),
         _ratio(c, "golden_passed", "golden_total")),
        (_("identity answers"), _ratio(a, "identity_hits", "identity_total"),
         _ratio(c, "identity_hits", "identity_total")),
        (_("empty replies"), fmt(a.get("empty")), fmt(c.get("empty"))),
        (_("repetitive replies"), fmt(a.get("repetitive")), fmt(c.get("repetitive"))),
        (_("replies cut at the limit"), fmt(a.get("cut")), fmt(c.get("cut"))),
        (_("mean reply length (words)"), fmt(a.get("mean_reply_words"), 1), fmt(c.get("mean_reply_words"), 1)),
        (_("tokens per second"), fmt(a.get("tokens_per_s"), _speed_digits(a.get("tokens_per_s"))),
         fmt(c.get("tokens_per_s"), _speed_digits(c.get("tokens_per_s")))),
    ]
    return rows


def headline(out: GateOutcome) -> str:
    """The outcome in one sentence: what became of the new version."""
    if not out.usable:
        return _("The new version {a} is not usable.").format(a=out.adapter)
    if out.promoted and out.domain:
        from ..domains import domain_label

        return _("The new version {a} is better: it now answers the domain '{domain}'.").format(
            a=out.adapter, domain=domain_label(out.domain))
    if out.promoted:
        return (_("The new version {a} is now active.") if out.by == "user" else
                _("The new version {a} is better: it is now active.")).format(a=out.adapter)
    if out.promoted is None:
        return _("The new version {a} could not be judged, so the current one stays active.").format(a=out.adapter)
    return _("The new version {a} is not better, so the current one stays active.").format(a=out.adapter)
