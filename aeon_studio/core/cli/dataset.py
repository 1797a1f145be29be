"""``aeon-studio dataset``: build, inspect and export training sets."""

from __future__ import annotations

import argparse

from ..i18n import _, ngettext
from .common import print_json, print_table
from .dataset_records import turn_text
from .dataset_import import _register_import


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dataset", help=_("build, inspect and export training datasets"),
                       description=_("Build training sets from rated chats or an identity description, "
                                     "inspect them and export them as JSONL."))
    dsub = p.add_subparsers(dest="dataset_command", metavar="ACTION", required=True)

    q = dsub.add_parser("list", help=_("list the datasets"), description=_("List the datasets with their sizes."))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_list)

    q = dsub.add_parser("stats", help=_("examples, tokens, domains, ratings and warnings of a dataset"),
                        description=_("Show the statistics of a dataset."))
    q.add_argument("name", metavar="NAME")
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_stats)

    q = dsub.add_parser("from-chats", help=_("build a dataset from your rated chats"),
                        description=_("Replies rated at least --min-likert and your corrections become examples; "
                                      "corrections, kept regenerations and rating gaps become preference pairs "
                                      "(DPO). Running it again rebuilds the chat rows."))
    q.add_argument("--name", required=True, metavar="NAME", help=_("dataset name"))
    q.add_argument("--min-likert", type=int, default=4, metavar="N", help=_("lowest rating kept (default 4)"))
    q.add_argument("--since", metavar="PERIOD", help=_("only replies newer than this, e.g. 7d, 30d, 2026-01-31"))
    q.add_argument("--persona", metavar="KEY", help=_("only replies of this persona"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_from_chats)

    q = dsub.add_parser("identity", help=_("generate questions and answers about who the assistant is"),
                        description=_("Generate a varied identity set (English and Portuguese) so a retrain "
                                      "changes how the model introduces itself."))
    q.add_argument("--name", required=True, metavar="NAME", help=_("dataset name"))
    q.add_argument("--assistant-name", required=True, metavar="A", help=_("the assistant's name"))
    q.add_argument("--creator", required=True, metavar="C", help=_("who created the assistant"))
    q.add_argument("--description", default="", metavar="D", help=_("one sentence about the assistant"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_identity)

    q = dsub.add_parser("preview", help=_("print the first examples of a dataset"),
                        description=_("Print the first examples (or preference pairs) of a dataset."))
    q.add_argument("name", metavar="NAME")
    q.add_argument("-n", type=int, default=5, help=_("how many (default 5)"))
    q.add_argument("--pairs", action="store_true", help=_("show preference pairs instead of examples"))
    q.add_argument("--bad", action="store_true",
                   help=_("show the bad examples: replies labelled undesirable (KTO), never trained on as good ones"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_preview)

    q = dsub.add_parser("export", help=_("write a dataset as JSONL"),
                        description=_("Write a dataset as JSONL: OpenAI messages, ShareGPT, DPO pairs or KTO "
                                      "examples with their labels. Messages and ShareGPT leave out the examples "
                                      "labelled undesirable."))
    q.add_argument("name", metavar="NAME")
    q.add_argument("--out", required=True, metavar="FILE", help=_("output .jsonl file"))
    q.add_argument("--format", default="messages", choices=["messages", "sharegpt", "dpo", "kto"],
                   help=_("messages (default), sharegpt, dpo or kto"))
    q.add_argument("--split", default="all", choices=["train", "eval", "all"], help=_("which split (default all)"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_export)

    q = dsub.add_parser("delete", help=_("delete a dataset"), description=_("Delete a dataset and its rows."))
    q.add_argument("name", metavar="NAME")
    q.set_defaults(func=run_delete)

    _register_import(dsub)


def _store():
    from ..datasets import DatasetStore

    return DatasetStore()


def run_list(args: argparse.Namespace) -> int:
    rows = _store().list()
    if args.json:
        print_json(rows)
    elif not rows:
        print(_("No datasets yet. Build one with 'aeon-studio dataset from-chats' or 'dataset identity'."))
    else:
        print_table([[r["name"], r["kind"], r["examples"], r["pairs"], r["updated_at"].strftime("%Y-%m-%d %H:%M")]
                     for r in rows], [_("NAME"), _("KIND"), _("EXAMPLES"), _("PAIRS"), _("UPDATED")])
    return 0


def run_stats(args: argparse.Namespace) -> int:
    st = _store().stats(args.name)
    if args.json:
        print_json(st)
        return 0
    print(_("Dataset '{name}': {examples} ({train} train, {eval} eval), ~{tokens} tokens, {pairs}.").format(
        name=st["name"], examples=ngettext("{n} example", "{n} examples", st["examples"]).format(n=st["examples"]),
        train=st["train"], eval=st["eval"], tokens=st["tokens"],
        pairs=ngettext("{n} preference pair", "{n} preference pairs", st["pairs"]).format(n=st["pairs"])))
    if st["domains"]:
        print(_("Domains: {list}").format(list=", ".join(f"{k} {v}" for k, v in sorted(st["domains"].items()))))
    if st["sources"]:
        print(_("Sources: {list}").format(list=", ".join(f"{k} {v}" for k, v in sorted(st["sources"].items()))))
    if st["ratings"]:
        print(_("Ratings: {list}").format(list=", ".join(f"{k}★ {v}" for k, v in st["ratings"].items())))
    if st.get("undesirable"):
        print(_bad_line(st["undesirable"], args.name))
    for w in st["warnings"]:
        print(_("Warning: {text}").format(text=w))
    return 0


def run_from_chats(args: argparse.Namespace) -> int:
    res = _store().build_from_chats(args.name, min_likert=args.min_likert, since=args.since, persona=args.persona)
    if args.json:
        print_json(res)
    else:
        print(_("Dataset '{name}': {examples} and {pairs} from your chats ({low}).").format(
            name=res.name, examples=ngettext("{n} example", "{n} examples", res.examples).format(n=res.examples),
            pairs=ngettext("{n} preference pair", "{n} preference pairs", res.pairs).format(n=res.pairs),
            low=ngettext("{n} rated reply below {min} left out", "{n} rated replies below {min} left out",
                         res.skipped_low).format(n=res.skipped_low, min=args.min_likert)))
    return 0


def run_identity(args: argparse.Namespace) -> int:
    n = _store().build_identity(args.name, args.assistant_name, args.creator, args.description)
    if args.json:
        print_json({"name": args.name, "examples": n})
    else:
        print(ngettext("Dataset '{name}': {n} identity example (English and Portuguese).",
                       "Dataset '{name}': {n} identity examples (English and Portuguese).", n).format(
            name=args.name, n=n))
    return 0


def _bad_line(n: int, name: str) -> str:
    return ngettext("{n} example is labelled undesirable: never trained on as a good answer (see 'dataset preview "
                    "{name} --bad'; 'dataset export --format kto' keeps it with its label).",
                    "{n} examples are labelled undesirable: never trained on as good answers (see 'dataset "
                    "preview {name} --bad'; 'dataset export --format kto' keeps them with their labels).",
                    n).format(n=n, name=name)


def run_preview(args: argparse.Namespace) -> int:
    store = _store()
    if args.pairs:
        rows = store.preference_pairs(args.name)
    elif args.bad:
        rows = [r for r in store.examples(args.name, split="all", undesirable=True) if r.get("label") is False]
        if not rows and not args.json:
            print(_("Dataset '{name}' has no examples labelled undesirable.").format(name=args.name))
            return 0
    else:
        rows = store.examples(args.name, split="all")
    rows = rows[: max(0, args.n)]
    if args.json:
        print_json(rows)
        return 0
    for i, r in enumerate(rows, 1):
        print(f"--- {i}")
        if args.pairs:
            print(f"user: {r['prompt'][-1]['content']}")
            print(f"{_('chosen')}: {r['chosen']}")
            print(f"{_('rejected')}: {r['rejected']}")
        else:
            for m in r["messages"]:
                print(f"{m['role']}: {turn_text(m)}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    store = _store()
    n = store.export(args.name, args.out, fmt=args.format, split=args.split)
    left_out = store.undesirable_count(args.name, args.split) if args.format in ("messages", "sharegpt") else 0
    if args.json:
        print_json({"name": args.name, "out": args.out, "format": args.format, "split": args.split, "rows": n,
                    "undesirable_left_out": left_out})
    else:
        print(ngettext("Wrote {n} row to {path}.", "Wrote {n} rows to {path}.", n).format(n=n, path=args.out))
        if left_out:
            print(ngettext("Left out {n} example labelled undesirable (it is not a good answer to learn); "
                           "'--format kto' writes it with its label.",
                           "Left out {n} examples labelled undesirable (they are not good answers to learn); "
                           "'--format kto' writes them with their labels.", left_out).format(n=left_out))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    _store().delete(args.name)
    print(_("Deleted dataset '{name}'.").format(name=args.name))
    return 0
