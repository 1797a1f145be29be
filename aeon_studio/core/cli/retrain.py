"""``aeon-studio retrain``: what the chat's Retrain button does, headless."""

from __future__ import annotations

import argparse
import sys

from ..i18n import _
from .common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("retrain", help=_("retrain a persona on its rated chats, identity set and datasets"),
                       description=_("Fine-tune the persona on the replies you rated 4 or 5 stars and your "
                                     "corrections, plus the newest identity set and the persona's datasets, "
                                     "exactly as the Retrain button does. Some examples are held out to "
                                     "measure the result, and the new adapter is checked in llama.cpp."))
    p.add_argument("--persona", metavar="KEY", help=_("the persona to retrain (with --auto: only this one)"))
    p.add_argument("--auto", action="store_true",
                   help=_("retrain only if the schedule says it is due ('aeon-studio schedule show'); for timers"))
    p.add_argument("--preset", default="quick", choices=["quick", "balanced", "thorough"],
                   help=_("training preset (default: quick)"))
    p.add_argument("--dataset", action="append", default=[], metavar="NAME",
                   help=_("train on exactly this dataset's training split instead of the automatic assembly "
                          "(repeatable)"))
    p.add_argument("--no-gate", action="store_true",
                   help=_("use the new version without evaluating it against the active one"))
    p.add_argument("--plan", action="store_true", help=_("only show what it would train on"))
    p.add_argument("--yes", action="store_true",
                   help=_("train even with fewer examples than the recommended minimum"))
    p.add_argument("--json", action="store_true", help=_("print the plan as JSON (with --plan)"))
    p.add_argument("--json-events", action="store_true", help=_("print the worker's JSON events, one per line"))
    p.set_defaults(func=_retrain)


def _retrain(args: argparse.Namespace) -> int:
    from ..errors import ValidationError
    from ..personas import PersonaStore

    if args.auto:
        from .schedule import auto_retrain

        return auto_retrain(args, gate_run)
    if not args.persona:
        raise ValidationError(_("retrain needs --persona KEY (or --auto)."),
                              hint=_("See 'aeon-studio personas list' for the keys."))
    from ..storage import get_database
    from ..training.retrain import create_retrain_run, plan_retrain
    from .train import follow

    db = get_database()
    key = PersonaStore(db).get(args.persona).key  # an unknown persona fails here, with its hint
    plan = plan_retrain(key, db, datasets=args.dataset or None)
    if args.plan:
        if args.json:
            print_json(plan.as_dict())
        else:
            print(plan.describe())
            for w in plan.warnings():
                print(w)
        return 0
    for w in plan.warnings():
        print(w, file=sys.stderr)
    if plan.too_small and not args.yes:
        print(_("Nothing was trained. Add examples, or pass --yes to train on these anyway."), file=sys.stderr)
        return 2
    row = create_retrain_run(plan, db, preset=args.preset)
    if not args.json_events:
        print(plan.describe(), file=sys.stderr)
        print(_("Run {id} created.").format(id=row.id), file=sys.stderr)
    rc = follow(row.id, args.json_events)
    from ..training import runs
    from ..training.events import RunStatus

    if runs.get_run(row.id, db).status != RunStatus.DONE:
        return rc  # failed or cancelled: follow said why
    return _gate(row.id, db, gate=not args.no_gate, json_events=args.json_events)


def _gate(run_id: str, db, *, gate: bool, json_events: bool) -> int:
    """Evaluate, judge and activate (or not); print the outcome. Non-zero when no usable adapter came out."""
    return 0 if gate_run(run_id, db, gate=gate, json_events=json_events).usable else 1


def gate_run(run_id: str, db, *, gate: bool, json_events: bool, domain: str | None = None):
    """Evaluate, judge and activate (or not); print the outcome and return it (a ``GateOutcome``).

    ``domain``: a domain adapter, judged on that domain and bound to it when better (``retrain --auto``)."""
    from ..training.gated import finish_retrain

    if gate and not json_events:
        print(_("Evaluating the new version against the active one…"), file=sys.stderr)
    out = finish_retrain(run_id, db, gate=gate, progress=None if json_events else _progress, domain=domain)
    if json_events:
        if out.evaluation is not None:
            print_json({"event": "evaluation", **out.evaluation, "candidate": out.candidate, "against": out.against})
        print_json(out.as_event())
    else:
        if gate:
            print(file=sys.stderr)
        print(gate_summary(out))
    return out


def _progress(done: int, total: int, *_message: str) -> None:
    print("\r" + _("evaluated {done}/{total}").format(done=done, total=total), end="", file=sys.stderr, flush=True)


def gate_summary(out) -> str:
    """The gate's outcome in words, with both models' main numbers side by side."""
    from ..training.gated import headline, side_by_side

    lines = [headline(out)] + ["  • " + r for r in out.reasons]
    rows = side_by_side(out)
    if rows:
        width = max(len(label) for label, _a, _c in rows)
        lines.append("")
        lines.append(f"{'':{width}}  {_('active'):>12}  {_('new'):>12}")
        lines += [f"{label:{width}}  {a:>12}  {c:>12}" for label, a, c in rows]
    if out.usable and not out.promoted and not out.domain:  # promote would make a domain's adapter the persona's
        lines.append(_("Use it anyway with 'aeon-studio adapters promote {a}'.").format(a=out.adapter))
    return "\n".join(lines)
