"""``aeon-studio export gguf|ollama`` (``adapters …`` is in :mod:`.adapters`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import _
from .common import print_json


def register(sub: argparse._SubParsersAction) -> None:
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
    q.add_argument("--name", required=True, help=_("Ollama model name, e.g. aeon-casual or user/aeon:v2"))
    q.add_argument("--host", metavar="URL", help=_("Ollama server, e.g. 127.0.0.1:11434 (default: the ollama_host "
                                                   "setting, else OLLAMA_HOST)"))
    q.add_argument("--modelfile-only", action="store_true", help=_("only write the folder and Modelfile"))
    q.add_argument("--persona", metavar="KEY", help=_("persona for SYSTEM, temperature and top_p"))
    q.add_argument("--merged", type=Path, metavar="GGUF", help=_("use this merged GGUF instead of base + ADAPTER"))
    q.add_argument("--out", type=Path, metavar="DIR", help=_("output folder"))
    q.add_argument("--base", metavar="MODEL_ID", help=_("base model of a folder given by path"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_ollama)


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
