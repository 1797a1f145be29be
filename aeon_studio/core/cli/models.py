"""``aeon-studio models list|add|remove|pull|files|recommended|ollama``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..i18n import _, ngettext
from .common import print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help=_("list and add GGUF models"),
                       description=_("The built-in models and the GGUF models you added: from the Hugging Face "
                                     "Hub, from Ollama, or a file on disk."))
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ps.add_parser("list", help=_("list models"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_list)
    q = ps.add_parser("add", help=_("add a local .gguf file"))
    q.add_argument("path", type=Path, metavar="PATH")
    q.add_argument("--name", help=_("display name"))
    q.set_defaults(func=_add)
    q = ps.add_parser("remove", help=_("remove a local model from the list (the file stays)"))
    q.add_argument("model_id", metavar="ID")
    q.set_defaults(func=_remove)
    q = ps.add_parser("pull", help=_("download a GGUF model from the Hugging Face Hub and add it"),
                      description=_("Downloads into the Hugging Face cache (resumes an interrupted download, "
                                    "checks the sha256) and adds the model. Without --file or --quant the Q4_K_M "
                                    "file is taken."))
    q.add_argument("repo", metavar="REPO", help=_("Hub repository, e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF"))
    q.add_argument("--file", metavar="NAME.gguf", help=_("the file to download"))
    q.add_argument("--quant", metavar="QUANT", help=_("the quantization to download, e.g. Q4_K_M"))
    q.add_argument("--name", help=_("display name"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_pull)
    q = ps.add_parser("files", help=_("list the GGUF files of a Hub repository"))
    q.add_argument("repo", metavar="REPO")
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_files)
    q = ps.add_parser("recommended", help=_("small chat models that speak Portuguese well"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_recommended)
    q = ps.add_parser("ollama", help=_("list Ollama's models, or add them (used in place, not copied)"),
                      description=_("Reads Ollama's models folder (OLLAMA_MODELS or ~/.ollama/models); no Ollama "
                                    "server is needed."))
    q.add_argument("names", nargs="*", metavar="NAME:TAG", help=_("models to add, e.g. qwen2.5:0.5b"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_ollama)


def _list(args: argparse.Namespace) -> int:
    from ..models import ModelRegistry

    models = ModelRegistry().list()
    if args.json:
        print_json([_model_json(m) for m in models])
        return 0
    rows = []
    for m in models:
        where = str(m.path) if m.path else _("(assembled on first use)")
        rows.append([m.id, m.name, _source_text(m.source), _size(m.size), _yes_no(m.trainable), where])
    print_table(rows, [_("ID"), _("NAME"), _("SOURCE"), _("SIZE"), _("TRAINABLE"), _("FILE")])
    return 0


def _model_json(m) -> dict:
    return {"id": m.id, "name": m.name, "path": str(m.path) if m.path else None, "builtin": m.builtin,
            "chat": m.chat, "source": m.source, "size": m.size, "chat_template": m.chat_template,
            "context_length": m.context_length, "architecture": m.architecture, "trainable": m.trainable,
            "origin": m.origin}


def _source_text(source: str) -> str:
    return {"embedded": _("embedded"), "hub": _("Hugging Face"), "ollama": _("Ollama"),
            "file": _("file")}.get(source, source)


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else _("yes") if value else _("no")


def _size(n: int | None) -> str:
    from ..models.gguf_info import human_size

    return human_size(n) if n else "—"


def _add(args: argparse.Namespace) -> int:
    from ..models import ModelRegistry

    info = ModelRegistry().add(args.path, args.name)
    print(_("Added model '{id}' ({path}).").format(id=info.id, path=info.path))
    return 0


def _remove(args: argparse.Namespace) -> int:
    from ..models import ModelRegistry

    ModelRegistry().remove(args.model_id)
    print(_("Removed model '{id}' from the list.").format(id=args.model_id))
    return 0


class _Bar:
    """A one-line progress bar on stderr, redrawn at most 5 times a second."""

    def __init__(self) -> None:
        self.last = 0.0
        self.start = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.2 and done < total:
            return
        self.last = now
        pct = done * 100 // total if total else 0
        width = 30
        fill = width * pct // 100
        rate = done / max(now - self.start, 1e-3)
        print(f"\r[{'#' * fill}{'.' * (width - fill)}] {pct:3d}%  {_size(done)} / {_size(total)}  "
              f"{_size(int(rate))}/s ", end="", file=sys.stderr, flush=True)


def _pull(args: argparse.Namespace) -> int:
    from ..models.hub import pull

    bar = _Bar()
    try:
        info = pull(args.repo, filename=args.file, quant=args.quant, name=args.name, progress=bar)
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        print(_("Stopped. Run the same command again to continue the download where it stopped."), file=sys.stderr)
        return 130
    finally:
        if bar.last:
            print("", file=sys.stderr)
    if args.json:
        print_json(_model_json(info))
        return 0
    ctx = info.context_length or "?"
    print(_("Added model '{id}' from {repo} ({size}, context {ctx}, chat template: {tpl}).").format(
        id=info.id, repo=info.origin.get("repo", args.repo), size=_size(info.size), ctx=ctx,
        tpl=_yes_no(info.chat_template)))
    print(_("Chat with it: aeon-studio chat --model {id}").format(id=info.id))
    return 0


def _files(args: argparse.Namespace) -> int:
    from ..models.hub import list_gguf_files, ram_needed

    listing = list_gguf_files(args.repo)
    if args.json:
        print_json({"repo": listing.repo, "revision": listing.revision, "files": listing.files})
        return 0
    rows = [[f.filename, f.quant or "—", _size(f.size), _size(ram_needed(f.size)) if f.size else "—",
             f.note or ""] for f in listing.files]
    print_table(rows, [_("FILE"), _("QUANT"), _("SIZE"), _("RAM"), _("NOTE")])
    return 0


def _recommended(args: argparse.Namespace) -> int:
    from ..models.recommended import RECOMMENDED

    if args.json:
        print_json([{"name": r.name, "repo": r.repo, "file": r.filename, "quant": r.quant, "size": r.size,
                     "ram": r.ram, "license": r.license, "note": r.note} for r in RECOMMENDED])
        return 0
    print_table([[r.name, r.repo, _size(r.size), _size(r.ram), r.note] for r in RECOMMENDED],
                [_("MODEL"), _("REPO"), _("SIZE"), _("RAM"), _("NOTE")])
    print(_("Download one: aeon-studio models pull REPO"))
    return 0


def _ollama(args: argparse.Namespace) -> int:
    from ..models.ollama_models import add_ollama_model
    from ..ollama.library import list_ollama_models, ollama_models_dir

    if args.names:
        added = [add_ollama_model(name) for name in args.names]  # each checked; the first bad one stops here
        if args.json:
            print_json([_model_json(m) for m in added])
            return 0
        for m in added:
            print(_("Added Ollama model '{name}' as '{id}' ({size}; the file stays where Ollama keeps it).").format(
                name=m.origin.get("ollama", m.name), id=m.id, size=_size(m.size)))
        return 0
    models = list_ollama_models()
    if args.json:
        print_json([{"name": m.name, "size": m.size, "blob": str(m.blob), "digest": m.digest, "gguf": m.is_gguf}
                    for m in models])
        return 0
    if not models:
        print(_("No Ollama models in {folder}. Set OLLAMA_MODELS if Ollama keeps them elsewhere.").format(
            folder=ollama_models_dir()), file=sys.stderr)
        return 1
    print_table([[m.name, _size(m.size), _yes_no(m.is_gguf), str(m.blob)] for m in models],
                [_("NAME"), _("SIZE"), _("GGUF"), _("FILE")])
    print(ngettext("{n} model. Add one: aeon-studio models ollama NAME:TAG",
                   "{n} models. Add one: aeon-studio models ollama NAME:TAG", len(models)).format(n=len(models)))
    return 0
