"""``aeon-studio adapters list|activate|deactivate`` and ``aeon-studio export gguf|ollama``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    q = ps.add_parser("activate", help=_("answer with this adapter when chatting with a persona"))
    q.add_argument("adapter", metavar="ADAPTER", help=_("adapter id or PEFT adapter folder"))
    q.add_argument("--persona", required=True, metavar="KEY", help=_("persona key"))
    q.add_argument("--base", metavar="MODEL_ID", help=_("base model of a folder given by path"))
    q.set_defaults(func=_activate)
    q = ps.add_parser("deactivate", help=_("chat with the base model again"))
    q.add_argument("--persona", required=True, metavar="KEY", help=_("persona key"))
    q.set_defaults(func=_deactivate)

    p = sub.add_parser("export", help=_("export an adapter as GGUF or to Ollama"),
                       description=_("Every export is reloaded in llama.cpp and checked before it is reported; "
                                     "a file that fails is deleted."))
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ps.add_parser("gguf", help=_("LoRA GGUF for llama.cpp, or a merged and quantized model GGUF"))
    q.add_argument("adapter", metavar="ADAPTER", help=_("adapter id or PEFT adapter folder"))
    q.add_argument("--merge", action="store_true", help=_("merge into the base model (one standalone file)"))
    q.add_argument("--quant", default="Q4_K_M", choices=["Q4_K_M", "Q5_K_M", "Q8_0", "F16"],
                   help=_("quantization of the merged model (default: Q4_K_M)"))
    q.add_argument("--out", type=Path, metavar="DIR", help=_("output folder (default: exports folder)"))
    q.add_argument("--base", metavar="MODEL_ID", help=_("base model of a folder given by path"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_gguf)
    q = ps.add_parser("ollama", help=_("create an Ollama model (or write its Modelfile)"))
    q.add_argument("adapter", metavar="ADAPTER", help=_("adapter id or PEFT adapter folder"))
    q.add_argument("--name", required=True, help=_("Ollama model name, e.g. aeon-casual"))
    q.add_argument("--host", metavar="URL", help=_("Ollama server (default: the ollama_host setting)"))
    q.add_argument("--modelfile-only", action="store_true", help=_("only write the folder and Modelfile"))
    q.add_argument("--persona", metavar="KEY", help=_("persona for SYSTEM, temperature and top_p"))
    q.add_argument("--merged", type=Path, metavar="GGUF", help=_("use this merged GGUF instead of base + ADAPTER"))
    q.add_argument("--out", type=Path, metavar="DIR", help=_("output folder"))
    q.add_argument("--base", metavar="MODEL_ID", help=_("base model of a folder given by path"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_ollama)


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


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction * 100:3.0f}%] {message}", file=sys.stderr, flush=True)


def _print_outcome(outcome, as_json: bool) -> None:
    from ..export.gguf_io import human_size

    if as_json:
        print_json(outcome.as_dict())
        return
    print(_("Wrote {path} ({size}) in {seconds:.1f} s.").format(path=outcome.path, size=human_size(outcome.size),
                                                               seconds=outcome.seconds))
    if outcome.report:
        for c in outcome.report.checks:
            print(f"  {'✓' if c.ok else '✗'} {c.title}: {c.detail}")


def _gguf(args: argparse.Namespace) -> int:
    from ..export.service import export_gguf

    outcome = export_gguf(args.adapter, merge=args.merge, quant=args.quant, out_dir=args.out, base_model_id=args.base,
                          progress=None if args.json else _progress)
    _print_outcome(outcome, args.json)
    return 0


def _ollama(args: argparse.Namespace) -> int:
    from ..export.service import export_ollama

    def status(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    outcome = export_ollama(args.adapter, args.name, host=args.host, modelfile_only=args.modelfile_only,
                            merged=args.merged, persona_key=args.persona, out_dir=args.out, base_model_id=args.base,
                            status=None if args.json else status)
    if args.json:
        print_json(outcome.as_dict())
        return 0
    method = outcome.detail["method"]
    if method == "api":
        print(_("Created Ollama model '{name}' through the API.").format(name=args.name))
    elif method == "cli":
        print(_("Created Ollama model '{name}' with the ollama command.").format(name=args.name))
    else:
        print(_("Wrote {path}. To create the model, run:").format(path=outcome.path))
        print(f"  {outcome.detail['command']}")
    return 0
