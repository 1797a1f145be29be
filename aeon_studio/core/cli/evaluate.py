"""``aeon-studio eval``: score a model against another on the persona's frozen evaluation set."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict

from ..i18n import _
from .common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help=_("compare a model with the active one (or another) on the persona's "
                                      "held-out examples and golden prompts"),
                       description=_("Score TARGET and the model it is compared with on the same frozen set: "
                                     "the persona's held-out examples and golden prompts, greedy replies through "
                                     "llama.cpp. Prints both models' metrics side by side and what the gate would "
                                     "decide; the evaluation is stored."))
    p.add_argument("target", metavar="TARGET", help=_("an adapter id, 'base' or 'active'"))
    p.add_argument("--against", default="active", metavar="MODEL",
                   help=_("'active' (the persona's adapter, or the base model; default), 'base' or an adapter id"))
    p.add_argument("--persona", metavar="KEY",
                   help=_("whose evaluation set and active adapter (default: the adapter's persona, else the "
                          "default persona)"))
    p.add_argument("--max-tokens", type=int, default=None, metavar="N",
                   help=_("longest reply generated per question (default: {n})").format(n=_default_max_tokens()))
    p.add_argument("--json", action="store_true", help=_("print the whole report (every reply included) as JSON"))
    p.set_defaults(func=_eval)


def _default_max_tokens() -> int:
    from ..evaluation.evaluate import DEFAULT_MAX_TOKENS

    return DEFAULT_MAX_TOKENS


def _persona(args: argparse.Namespace, db) -> str:
    from ..personas import PersonaStore
    from ..settings import get_settings

    key = args.persona
    if key is None and args.target not in ("base", "active"):
        from ..export.adapters import get_adapter

        key = get_adapter(args.target, db).persona_key
    return PersonaStore(db).get(key or get_settings().default_persona).key  # unknown: fails with its hint


def _eval(args: argparse.Namespace) -> int:
    from ..evaluation.evaluate import DEFAULT_MAX_TOKENS, evaluate
    from ..evaluation.evalset import build_eval_set
    from ..evaluation.gate import judge
    from ..storage import get_database

    db = get_database()
    persona = _persona(args, db)
    eval_set = build_eval_set(persona, db)
    if not args.json:
        print(_("Evaluating {a} against {b} on {what}…").format(a=args.target, b=args.against,
                                                                 what=eval_set.describe()), file=sys.stderr)
    comparison = evaluate(args.target, against=args.against, persona_key=persona, db=db, eval_set=eval_set,
                          max_tokens=args.max_tokens or DEFAULT_MAX_TOKENS,
                          progress=None if args.json else _progress)
    verdict = judge(comparison)
    if args.json:
        print_json({**comparison.as_dict(), "persona": persona, "verdict": verdict.as_dict()})
        return 0
    print(file=sys.stderr)
    print(report(comparison, verdict))
    return 0


def _progress(done: int, total: int, *_message: str) -> None:
    print("\r" + _("evaluated {done}/{total}").format(done=done, total=total), end="", file=sys.stderr, flush=True)


def report(comparison, verdict) -> str:
    """Both models' metrics side by side, then what the gate would decide and why."""
    from ..training.gated import GateOutcome, side_by_side

    def plain(m) -> dict:
        d = asdict(m)
        d.pop("replies", None)
        return d

    rows = side_by_side(GateOutcome(comparison.candidate.model, verdict.promoted, list(verdict.reasons),
                                    plain(comparison.candidate), plain(comparison.against)))
    width = max(len(label) for label, _a, _c in rows)
    left, right = comparison.against.model, comparison.candidate.model
    col = max(12, len(left), len(right))
    lines = [f"{'':{width}}  {left:>{col}}  {right:>{col}}"]
    lines += [f"{label:{width}}  {a:>{col}}  {c:>{col}}" for label, a, c in rows]
    lines.append("")
    if verdict.promoted is None:
        lines.append(_("The gate could not judge:"))
    elif verdict.promoted:
        lines.append(_("The gate would promote {a}:").format(a=right))
    else:
        lines.append(_("The gate would keep {b}:").format(b=left))
    lines += ["  • " + r for r in verdict.reasons]
    lines.append(_summary_line(len(comparison.items), comparison.seconds, comparison.evaluation_id))
    return "\n".join(lines)


def _summary_line(n: int, seconds: float, evaluation_id: int | None) -> str:
    from ..i18n import ngettext

    return ngettext("{n} item in {s:.1f} s (evaluation {id}).", "{n} items in {s:.1f} s (evaluation {id}).",
                    n).format(n=n, s=seconds, id=evaluation_id)
