"""Domain adapters of the scheduled retrain: which domains of a persona get an adapter of their own this run, and
what the user is told about each.

After the persona's own retrain, ``retrain --auto`` trains one adapter per domain with at least
``min_examples_per_domain`` examples in the run's data. A domain's data is its share of the same plan
(:func:`.retrain.domain_plans`: the builders' rules hold, only replies rated 4-5, corrections and the user's own
text, nothing injected), and each adapter goes through the gate against that domain's held-out items
(:func:`.gated.finish_retrain` with ``domain=``). A better one is bound to its domain in the persona's route map;
the persona's own adapter is never touched, a worse one changes nothing.

``general`` gets no adapter of its own: the persona's adapter, trained on every domain, answers it (an adapter
trained on general chat alone would also answer every domain that has none). A domain whose examples are the ones
its last adapter learned from is not trained again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..i18n import N_, _, ngettext
from .schedule import DomainResult

__all__ = ["OUTCOME_WORDS", "DomainResult", "as_json", "failed", "judged", "not_tried", "plan_domains",
           "result_line", "result_lines", "too_few"]

#: How each outcome reads in a list of domains.
OUTCOME_WORDS = {"promoted": N_("now in use"), "kept": N_("kept out"), "unjudged": N_("not judged"),
                 "unusable": N_("unusable"), "failed": N_("failed"), "skipped": N_("skipped")}


def plan_domains(plan, previous: Mapping[str, DomainResult], *, data_days: int,
                 domain_of=None) -> tuple[list[Any], dict[str, DomainResult]]:
    """Split ``plan`` (a ``RetrainPlan`` of the persona) by domain: (the domain plans to train, by name; the
    skipped domains with why).

    Args:
        plan: the persona's plan for this run (its ``minimum`` is the schedule's minimum per domain).
        previous: the last run's results per domain (a domain whose data did not change is skipped).
        data_days: the schedule's data window, for the reason of a domain with too few examples.
        domain_of: ``messages -> domain`` (default: the chat's classifier, see :func:`.retrain.row_domain`).
    """
    from ..domains import GENERAL
    from .retrain import domain_plans
    from .runs import dataset_hash

    todo: list[Any] = []
    skipped: dict[str, DomainResult] = {}
    for name, dp in domain_plans(plan, domain_of=domain_of).items():
        if name == GENERAL:
            continue
        n, before = len(dp.rows), previous.get(name)
        last_hash = before.data_hash if before else None
        if dp.too_small:
            why = too_few(n, data_days=data_days, minimum=dp.minimum)
        elif last_hash is not None and last_hash == dataset_hash(dp.rows):
            why = _("No new examples since its last run.")
        else:
            todo.append(dp)
            continue
        skipped[name] = DomainResult(outcome="skipped", message=why, examples=n, data_hash=last_hash,
                                     adapter=before.adapter if before else None)
    return todo, skipped


def too_few(n: int, *, data_days: int, minimum: int) -> str:
    """Why a domain with ``n`` examples got no adapter: "Only 12 examples from the last 30 days; it needs 50."."""
    from .schedule import days

    return ngettext("Only {n} example from the last {d}; it needs {m}.",
                    "Only {n} examples from the last {d}; it needs {m}.", n).format(n=n, d=days(data_days), m=minimum)


def not_tried(plan, previous: Mapping[str, DomainResult]) -> dict[str, DomainResult]:
    """Every domain of ``plan`` with examples, skipped because the persona's own retrain failed first."""
    from ..domains import GENERAL
    from .retrain import domain_plans

    return {name: DomainResult(outcome="skipped", examples=len(dp.rows),
                               message=_("Not tried: the persona's own retrain failed first."),
                               data_hash=previous[name].data_hash if name in previous else None)
            for name, dp in domain_plans(plan).items() if name != GENERAL and dp.rows}


def judged(out, plan, run_id: str, persona) -> DomainResult:
    """The result of a domain adapter the gate judged (``out``: a ``GateOutcome``); ``persona`` says whether
    routing is on, so a bound adapter that will not answer yet says how to use it."""
    from .runs import dataset_hash
    from .schedule import gate_change

    if not out.usable:
        outcome, text = "unusable", _("The new version failed its checks; this domain is answered as before.")
    elif out.promoted is None:
        outcome, text = "unjudged", _("The new version could not be judged; this domain is answered as before. "
                                      "{why}").format(why=" ".join(out.reasons[:1])).strip()
    elif not out.promoted:
        outcome, text = "kept", _("The new version was not better; this domain is answered as before.")
    else:
        change = gate_change(out)
        outcome = "promoted"
        text = (_("The new version is better ({change}); it answers this domain now.").format(change=change)
                if change else _("The new version is better; it answers this domain now."))
        if not persona.route_by_domain:
            text += " " + _("Turn on “Route by domain” for {persona} (Personas tab) to use it.").format(
                persona=persona.name)
    return DomainResult(outcome=outcome, message=text, examples=len(plan.rows), run_id=run_id, adapter=out.adapter,
                        data_hash=dataset_hash(plan.rows))


def failed(message: str, plan, run_id: str | None) -> DomainResult:
    """A domain run that failed (it is tried again next time: no data hash is kept)."""
    return DomainResult(outcome="failed", message=message, examples=len(plan.rows), run_id=run_id)


def result_line(domain: str, result: DomainResult | Mapping[str, Any]) -> str:
    """"Technical — now in use: the new version is better (…)", in the user's language."""
    from ..domains import domain_label

    r = result if isinstance(result, DomainResult) else DomainResult.model_validate(dict(result))
    word = _(OUTCOME_WORDS[r.outcome]) if r.outcome in OUTCOME_WORDS else r.outcome
    label = domain_label(domain)
    # the line starts with it: "Technical", "Técnico" (the labels are lower-case words)
    return _("{domain} — {outcome}: {message}").format(domain=label[:1].upper() + label[1:], outcome=word,
                                                        message=r.message).rstrip(": ")


def result_lines(results: Mapping[str, DomainResult | Mapping[str, Any]]) -> list[str]:
    """:func:`result_line` for every domain, by name."""
    return [result_line(name, r) for name, r in sorted(results.items())]


def as_json(results: Mapping[str, DomainResult]) -> dict[str, dict[str, Any]]:
    """The results as ``schedule show --json`` and the ``scheduled`` event give them (no data hash)."""
    return {name: r.model_dump(mode="json", exclude={"data_hash"}) for name, r in sorted(results.items())}
