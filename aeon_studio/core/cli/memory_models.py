"""``aeon-studio memory models`` and ``memory reembed``: which embedding model memory uses, and switching it."""

from __future__ import annotations

import argparse
import sys

from ..i18n import _, ngettext
from .common import print_json, print_table


def register(msub: argparse._SubParsersAction) -> None:
    """Add ``models`` and ``reembed`` to the ``memory`` command's actions."""
    q = msub.add_parser("models", help=_("embedding models memory can use"),
                        description=_("List the embedding models memory can switch to: the shipped one and the "
                                      "sentence-transformers models in the Hugging Face cache."))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_models)

    q = msub.add_parser("reembed", help=_("switch memory to another embedding model"),
                        description=_("Embed every memory again with another model and switch to it. The current "
                                      "model keeps answering until the new vectors are all ready; nothing is "
                                      "downloaded."))
    q.add_argument("--model", required=True, metavar="PATH_OR_NAME",
                   help=_("a model folder, a model in the Hugging Face cache (e.g. "
                          "intfloat/multilingual-e5-small), or all-MiniLM-L6-v2 (the shipped one)"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_reembed)


def run_models(args: argparse.Namespace) -> int:
    from ..memory.embedding_models import cached_models, resolve_model
    from ..memory.store import get_memory

    in_use = get_memory().embedder.model
    current = in_use.name
    models = [resolve_model(None)] + cached_models()
    if all(m.name != current for m in models):  # a folder of the user's own
        models.append(in_use)
    if args.json:
        print_json([{"name": m.name, "path": str(m.path), "dim": m.dim, "query_prefix": m.query_prefix,
                     "passage_prefix": m.passage_prefix, "in_use": m.name == current} for m in models])
        return 0
    print_table([["*" if m.name == current else "", m.name, m.dim, str(m.path)] for m in models],
                [_("IN USE"), _("MODEL"), _("DIMENSIONS"), _("FOLDER")])
    return 0


def run_reembed(args: argparse.Namespace) -> int:
    from ..memory.reembed import reembed

    tty = sys.stderr.isatty() and not args.json

    def progress(fraction: float, message: str) -> None:
        if tty:  # one line that updates in place; a pipe or a log gets only the result
            pct = f"{fraction * 100:3.0f}% " if fraction >= 0 else ""
            print(f"\r\033[K{pct}{message}", end="", file=sys.stderr, flush=True)

    try:
        result = reembed(args.model, progress=progress)
    finally:
        if tty:
            print(file=sys.stderr)
    if args.json:
        print_json(result)
        return 0
    print(ngettext("Memory now uses {model}: {n} item embedded again.",
                   "Memory now uses {model}: {n} items embedded again.", result.items).format(
        model=result.model, n=result.items))
    return 0
