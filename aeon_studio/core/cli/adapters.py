"""``aeon-studio adapters list|import|activate|deactivate|history|rollback|promote|delete``."""

from __future__ import annotations

import argparse
from typing import Any

from ..i18n import _
from .common import print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("adapters", help=_("list trained adapters and bind them to personas"),
                       description=_("Trained LoRA adapters: list them, use one in chat through a persona, or "
                                     "go back to the base model."))
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ps.add_parser("list", help=_("list adapters"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_list)
    q = ps.add_parser("import", help=_("register an adapter trained elsewhere (a run folder copied back from a "
                                       "bigger machine, or any PEFT LoRA folder)"))
    q.add_argument("path", metavar="PATH", help=_("a run folder (its adapter/ is used) or a PEFT adapter folder "
                                                  "(with adapter_config.json)"))
    q.add_argument("--base", metavar="MODEL_ID", help=_("the base model it was trained on (default: the one the "
                                                        "adapter names if you have it, else the default model)"))
    q.add_argument("--name", metavar="NAME", help=_("its name (default: the folder's)"))
    q.set_defaults(func=_import)
    q = ps.add_parser("activate", help=_("answer with this adapter when chatting with a persona"))
    q.add_argument("adapter", metavar="ADAPTER", help=_("adapter id or PEFT adapter folder"))
    q.add_argument("--persona", required=True, metavar="KEY", help=_("persona key"))
    q.add_argument("--base", metavar="MODEL_ID", help=_("base model of a folder given by path"))
    q.set_defaults(func=_activate)
    q = ps.add_parser("deactivate", help=_("chat with the base model again"))
    q.add_argument("--persona", required=True, metavar="KEY", help=_("persona key"))
    q.set_defaults(func=_deactivate)
    q = ps.add_parser("history", help=_("a persona's adapter versions with their metrics and verdicts"))
    q.add_argument("persona", metavar="PERSONA", help=_("persona key"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_history)
    q = ps.add_parser("rollback", help=_("answer with the previous version again (or a given one, or the base model)"))
    q.add_argument("persona", metavar="PERSONA", help=_("persona key"))
    q.add_argument("--to", metavar="ID", help=_("an adapter id from 'adapters history', or 'base'"))
    q.set_defaults(func=_rollback)
    q = ps.add_parser("promote", help=_("make a version its persona's active one, even if the gate kept the "
                                        "previous one"))
    q.add_argument("adapter", metavar="ID", help=_("adapter id"))
    q.add_argument("--persona", metavar="KEY", help=_("persona key (default: the one it was trained for)"))
    q.set_defaults(func=_promote)
    q = ps.add_parser("delete", help=_("delete a version that no persona uses, with its files"))
    q.add_argument("adapter", metavar="ID", help=_("adapter id"))
    q.set_defaults(func=_delete)


def _list(args: argparse.Namespace) -> int:
    from ..export.adapters import list_adapters, metrics_summary

    items = list_adapters()
    if args.json:
        print_json([{"id": a.id, "name": a.name, "base_model": a.base_model_id, "path": a.path,
                     "gguf": a.gguf_path if a.gguf_ready else None, "status": a.status, "metrics": a.metrics,
                     "personas": list(a.personas), "created_at": a.created_at} for a in items])
        return 0
    if not items:
        print(_("No adapters yet. Train one with 'aeon-studio train', or pass a PEFT folder to 'export'."))
        return 0
    print_table([[a.id, a.base_model_id, a.status, metrics_summary(a), ", ".join(a.personas)] for a in items],
                [_("ID"), _("BASE"), _("STATUS"), _("METRICS"), _("PERSONAS")])
    return 0


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..export.adapters import register_folder

    folder = Path(args.path).expanduser()
    name = args.name
    if (folder / "adapter" / "adapter_config.json").is_file():  # a run folder: its adapter, named after the run
        folder, name = folder / "adapter", name or folder.resolve().name
    info = register_folder(folder, base_model_id=args.base, name=name)  # says what is wrong with the folder
    print(_("Adapter '{adapter}' registered (base model {base}). Use it with 'aeon-studio adapters activate "
            "{adapter} --persona KEY'.").format(adapter=info.id, base=info.base_model_id))
    return 0


def _activate(args: argparse.Namespace) -> int:
    from ..export.adapters import activate, resolve_ref

    info = resolve_ref(args.adapter, base_model_id=args.base)
    persona = activate(info.id, args.persona)
    print(_("Persona '{persona}' now answers with adapter '{adapter}'.").format(persona=persona.key, adapter=info.id))
    return 0


def _deactivate(args: argparse.Namespace) -> int:
    from ..export.adapters import deactivate

    persona = deactivate(args.persona)
    print(_("Persona '{persona}' answers with the base model again.").format(persona=persona.key))
    return 0


def _candidate_metrics(report: dict[str, Any]) -> dict[str, Any]:
    """The candidate's metrics of an evaluation report, without the replies (long, and not metrics)."""
    metrics = report.get("candidate") if isinstance(report.get("candidate"), dict) else {}
    return {k: v for k, v in metrics.items() if k != "replies"}


def _verdict_text(verdict: dict[str, Any]) -> str:
    promoted = verdict.get("promoted")
    if not verdict or ("promoted" in verdict and promoted is None):
        return _("not judged")
    if promoted and verdict.get("by") == "user":
        return _("promoted by hand")
    return _("promoted") if promoted else _("kept the previous one")


def _history(args: argparse.Namespace) -> int:
    from ..export.adapters import history, metrics_summary

    versions = history(args.persona)
    if args.json:
        print_json([{"id": v.id, "active": v.active, "status": v.status, "parent": v.parent_id,
                     "persona": v.persona_key, "created_at": v.created_at, "dataset_hash": v.dataset_hash,
                     "metrics": v.metrics, "evaluation_id": v.evaluation_id,
                     "evaluation": _candidate_metrics(v.evaluation), "verdict": v.verdict} for v in versions])
        return 0
    if not versions:
        print(_("Persona '{persona}' has no adapter versions yet. Retrain it with "
                "'aeon-studio retrain --persona {persona}'.").format(persona=args.persona))
        return 0
    rows = []
    for v in versions:
        ev = _candidate_metrics(v.evaluation)
        shown = [f"ppl {ev['perplexity']:.3g}"] if isinstance(ev.get("perplexity"), (int, float)) else []
        if ev.get("golden_total"):
            shown.append(_("golden {passed}/{total}").format(passed=ev.get("golden_passed", 0),
                                                             total=ev["golden_total"]))
        rows.append(["*" if v.active else "", v.id, v.parent_id or _("base"), v.status,
                     " · ".join(shown) or metrics_summary(v), _verdict_text(v.verdict),
                     "; ".join(v.verdict.get("reasons") or [])])
    print_table(rows, ["", _("ID"), _("PARENT"), _("STATUS"), _("METRICS"), _("VERDICT"), _("REASONS")])
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from ..export.adapters import rollback

    persona = rollback(args.persona, to=args.to)
    if persona.adapter_id:
        print(_("Persona '{persona}' now answers with adapter '{adapter}'.").format(persona=persona.key,
                                                                                   adapter=persona.adapter_id))
    else:
        print(_("Persona '{persona}' answers with the base model again.").format(persona=persona.key))
    return 0


def _promote(args: argparse.Namespace) -> int:
    from ..export.adapters import promote

    persona = promote(args.adapter, by="user", persona_key=args.persona)
    print(_("Persona '{persona}' now answers with adapter '{adapter}'.").format(persona=persona.key,
                                                                               adapter=args.adapter))
    return 0


def _delete(args: argparse.Namespace) -> int:
    from ..export.adapters import delete_adapter

    info = delete_adapter(args.adapter)
    print(_("Deleted adapter '{adapter}'.").format(adapter=info.id))
    return 0
