"""``aeon-studio memory``: add, search, list, forget and import what the assistant remembers."""

from __future__ import annotations

import argparse
import sys

from ..i18n import N_, _, ngettext
from .common import print_json, print_table


#: Index states as the status command shows them.
STATES = {"ok": N_("ok"), "missing": N_("missing"), "rebuilt": N_("rebuilt"), "stale": N_("stale"),
          "not loaded": N_("not loaded")}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("memory", help=_("what the assistant remembers: facts, past chats, documents"),
                       description=_("Add, search, list and forget long-term memories, import documents and "
                                     "rebuild the search index."))
    msub = p.add_subparsers(dest="memory_command", metavar="ACTION", required=True)

    q = msub.add_parser("add", help=_("remember a fact"), description=_("Remember a fact (kind 'fact')."))
    q.add_argument("text", metavar="TEXT")
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_add)

    q = msub.add_parser("search", help=_("find the memories closest in meaning to a query"),
                        description=_("Find the memories closest in meaning to QUERY, best first."))
    q.add_argument("query", metavar="QUERY")
    q.add_argument("-k", type=int, default=5, metavar="N", help=_("how many at most (default 5)"))
    q.add_argument("--threshold", type=float, metavar="X",
                   help=_("lowest cosine similarity, -1 to 1 (default: the memory_threshold setting)"))
    q.add_argument("--mode", choices=["hybrid", "dense", "lexical"], default="hybrid",
                   help=_("hybrid: by meaning and by shared words, as the chat recalls (default); dense: by "
                          "meaning only; lexical: by shared words only"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_search)

    q = msub.add_parser("list", help=_("list memories, newest first"), description=_("List memories, newest first."))
    q.add_argument("--query", metavar="TEXT", help=_("only memories containing TEXT"))
    q.add_argument("--kind", choices=["fact", "exchange", "passage"], help=_("only this kind"))
    q.add_argument("--limit", type=int, default=50, metavar="N", help=_("how many at most (default 50)"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_list)

    q = msub.add_parser("forget", help=_("forget memories by id, or everything about a topic"),
                        description=_("Forget memories by id, or with --about everything about a topic."))
    q.add_argument("ids", nargs="*", type=int, metavar="ID")
    q.add_argument("--about", metavar="TOPIC", help=_("forget every memory about TOPIC"))
    q.add_argument("--dry-run", action="store_true", help=_("with --about: only list what would be forgotten"))
    q.set_defaults(func=run_forget)

    q = msub.add_parser("import", help=_("import TXT, MD or PDF documents"),
                        description=_("Import documents as passages. An unchanged file is skipped; a changed "
                                      "one replaces its earlier passages."))
    q.add_argument("files", nargs="+", metavar="FILE")
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_import)

    q = msub.add_parser("rebuild", help=_("rebuild the search index from the database"),
                        description=_("Rebuild the search index from the database."))
    q.add_argument("--reembed", action="store_true", help=_("embed every item again"))
    q.set_defaults(func=run_rebuild)

    q = msub.add_parser("status", help=_("items, index state and embedding model"),
                        description=_("Show how many items are remembered and the state of the search index."))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_status)

    from . import memory_models

    memory_models.register(msub)


def _memory():
    from ..memory import get_memory

    return get_memory()


def _one_line(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def run_add(args: argparse.Namespace) -> int:
    item = _memory().add(args.text)
    if args.json:
        print_json(item)
    else:
        print(_("Remembered as memory {id}.").format(id=item.id))
    return 0


def run_search(args: argparse.Namespace) -> int:
    hits = _memory().search(args.query, k=args.k, threshold=args.threshold, mode=args.mode)
    if args.json:
        print_json([{**h.item.__dict__, "score": h.score, "match": h.match, "lexical": h.lexical, "fused": h.fused,
                     "words": h.words} for h in hits])
        return 0
    if not hits:
        print(_("Nothing remembered matches '{query}'.").format(query=args.query))
        return 0
    from ..memory.display import item_text, match_text, source_text

    print_table([[h.item.id, f"{h.score:.2f}", match_text(h.match, None, h.words), h.item.kind,
                  _one_line(item_text(h.item.kind, h.item.text)), source_text(h.item.source)] for h in hits],
                [_("ID"), _("SCORE"), _("FOUND BY"), _("KIND"), _("TEXT"), _("SOURCE")])
    return 0


def run_list(args: argparse.Namespace) -> int:
    items = _memory().list(args.query, kind=args.kind, limit=args.limit)
    if args.json:
        print_json(items)
        return 0
    if not items:
        print(_("No memories yet. Add one with 'aeon-studio memory add TEXT'."))
        return 0
    from ..memory.display import item_text, source_text

    print_table([[i.id, i.kind, _one_line(item_text(i.kind, i.text)), source_text(i.source)] for i in items],
                [_("ID"), _("KIND"), _("TEXT"), _("SOURCE")])
    return 0


def run_forget(args: argparse.Namespace) -> int:
    from ..memory import MemoryInputError

    if not args.ids and not args.about:
        raise MemoryInputError(_("Nothing to forget."), hint=_("Give memory ids, or --about TOPIC."))
    store = _memory()
    for item_id in args.ids:
        store.forget(item_id)
        print(_("Forgot memory {id}.").format(id=item_id))
    if args.about:
        items = store.forget_about(args.about, dry_run=args.dry_run)
        for i in items:
            print(f"  {i.id}  {_one_line(i.text)}")
        n = len(items)
        msg = (ngettext("{n} memory item would be forgotten.", "{n} memory items would be forgotten.", n)
               if args.dry_run else ngettext("Forgot {n} memory item.", "Forgot {n} memory items.", n))
        print(msg.format(n=n))
    return 0


def run_import(args: argparse.Namespace) -> int:
    result = _memory().import_documents(args.files)
    if args.json:
        print_json(result)
    else:
        print(_("Imported {files}: {passages}; {replaced}, {skipped}.").format(
            files=ngettext("{n} file", "{n} files", result.files).format(n=result.files),
            passages=ngettext("{n} passage", "{n} passages", result.passages).format(n=result.passages),
            replaced=ngettext("{n} file replaced", "{n} files replaced", result.replaced).format(n=result.replaced),
            skipped=ngettext("{n} unchanged file skipped", "{n} unchanged files skipped", result.skipped).format(
                n=result.skipped)))
    for err in result.errors:
        print(_("error: {message}").format(message=err), file=sys.stderr)
    return 1 if result.errors else 0


def run_rebuild(args: argparse.Namespace) -> int:
    from ..memory.embedding_models import display_name

    status = _memory().rebuild(reembed=args.reembed)
    print(_("Index rebuilt: {items}, model {model} ({dims}).").format(
        items=ngettext("{n} item", "{n} items", status.indexed).format(n=status.indexed),
        model=display_name(status.model),
        dims=ngettext("{n} dimension", "{n} dimensions", status.dim).format(n=status.dim)))
    return 0


def run_status(args: argparse.Namespace) -> int:
    from ..memory.embedding_models import SHIPPED, display_name

    s = _memory().status()
    if args.json:
        print_json(s)
        return 0
    print(_("Items: {n}").format(n=s.items))
    print(_("Indexed: {n} ({state})").format(n=s.indexed, state=_(STATES.get(s.state, s.state))))
    print(_("Embedding model: {model} ({dims})").format(
        model=display_name(s.model), dims=ngettext("{n} dimension", "{n} dimensions", s.dim).format(n=s.dim)))
    if s.glossary is not None:
        print(_("Portuguese-English dictionaries: {path}").format(path=s.glossary))
    elif s.model == SHIPPED:  # the shipped model without its dictionaries
        print(_("Portuguese-English dictionaries: not found (recall in Portuguese is weaker). Run the setup "
                "command from the README, or install Debian's dict-freedict-por-eng and dict-freedict-eng-por."))
    print(_("Index file: {path}").format(path=s.path))
    return 0
