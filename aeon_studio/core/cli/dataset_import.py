"""``aeon-studio dataset convert|import|questions|candidates|accept|reject`` (part of the ``dataset`` group,
registered by :mod:`.dataset`): bring files in, generate questions from documents, review them."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..i18n import _, ngettext
from .common import print_json, print_table
from .dataset_records import kinds_line, record_lines, turn_text


def _cleaning_args(q: argparse.ArgumentParser) -> None:
    q.add_argument("--format", dest="fmt", metavar="F",
                   help=_("input format: log, csv, json, jsonl or document (default: detected)"))
    q.add_argument("--speakers", metavar="MAP",
                   help=_("speaker labels of a log, e.g. 'User:=user,Assistant:=assistant' "
                          "(default 'VOCÊ=user,AEON=assistant')"))
    q.add_argument("--columns", metavar="MAP", help=_("CSV columns, e.g. 'user=Pergunta,assistant=Resposta'"))
    q.add_argument("--gap-minutes", type=float, default=30, metavar="M",
                   help=_("a pause longer than this between timestamps starts a new conversation (default 30; "
                          "0 = never)"))
    q.add_argument("--pii", action="store_true",
                   help=_("replace e-mails, phone numbers, CPF/CNPJ and card numbers by placeholders"))
    q.add_argument("--no-near-dup", dest="near_dup", action="store_false",
                   help=_("keep near-duplicates (same text up to case, spacing and punctuation)"))
    q.add_argument("--min-chars", type=int, default=1, metavar="N", help=_("shortest turn kept (characters)"))
    q.add_argument("--max-chars", type=int, metavar="N", help=_("longest turn kept (characters)"))
    q.add_argument("--max-tokens", type=int, metavar="N",
                   help=_("longest conversation kept, in tokens (default: the n_ctx setting)"))
    q.add_argument("--tokenizer", metavar="MODEL",
                   help=_("count tokens with this model's tokenizer (model id or GGUF path) instead of the "
                          "estimate"))
    q.add_argument("--domains", metavar="FILE", help=_('domain keywords as JSON {"domain": ["word", ...]}'))
    q.add_argument("--json", action="store_true", help=_("print JSON"))


def _register_import(dsub: argparse._SubParsersAction) -> None:
    q = dsub.add_parser("convert", help=_("convert a log/CSV/JSON file to training JSONL (no database)"),
                        description=_("Convert one file to OpenAI-messages JSONL, file to file. Multi-line "
                                      "messages, whole conversations, encodings and garbled text are handled; "
                                      "bad records go to OUT.rejects.jsonl with file:line and the reason."))
    q.add_argument("input", metavar="IN", help=_("input file"))
    q.add_argument("--out", required=True, metavar="OUT.jsonl", help=_("output .jsonl file"))
    _cleaning_args(q)
    q.set_defaults(func=run_convert)

    q = dsub.add_parser("import", help=_("import files into a dataset"),
                        description=_("Import logs, CSV, JSON/JSONL and documents into a dataset. Conversations "
                                      "become examples; document passages are kept for question generation. "
                                      "Use --preview to see the first records without storing anything."))
    q.add_argument("files", nargs="+", metavar="FILE", help=_("files to import"))
    q.add_argument("--name", required=True, metavar="NAME", help=_("dataset name"))
    q.add_argument("--preview", action="store_true", help=_("show the first records and store nothing"))
    q.add_argument("-n", type=int, default=5, help=_("records shown by --preview (default 5)"))
    q.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                   help=_("fill the placeholder {{NAME}} with VALUE (repeatable), e.g. --set name=Aeon "
                          "--set author=Ana"))
    _cleaning_args(q)
    q.set_defaults(func=run_import)

    q = dsub.add_parser("questions", help=_("generate candidate Q/A pairs from documents with the local model"),
                        description=_("Generate question/answer candidates from document passages with the local "
                                      "model; review them with 'dataset candidates', 'accept' and 'reject'."))
    q.add_argument("name", metavar="NAME")
    q.add_argument("--from", dest="sources", nargs="+", metavar="FILE",
                   help=_("documents to read (default: the passages already imported into NAME)"))
    q.add_argument("--per-passage", type=int, default=2, metavar="N", help=_("questions per passage (default 2)"))
    q.add_argument("--max-passages", type=int, metavar="N", help=_("use at most N passages"))
    q.add_argument("--model", metavar="ID", help=_("model id (default: the default model)"))
    q.add_argument("--max-tokens", type=int, default=160, metavar="N", help=_("tokens per generated answer"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_questions)

    q = dsub.add_parser("candidates", help=_("list generated question/answer candidates"),
                        description=_("List the pending question/answer candidates of a dataset."))
    q.add_argument("name", metavar="NAME")
    q.add_argument("--all", action="store_true", help=_("also accepted and rejected ones"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=run_candidates)

    q = dsub.add_parser("accept", help=_("accept a candidate (optionally edited) as an example"),
                        description=_("Accept a question/answer candidate; it becomes an example of its dataset."))
    q.add_argument("ids", nargs="+", type=int, metavar="ID")
    q.add_argument("--question", metavar="TEXT", help=_("replace the question"))
    q.add_argument("--answer", metavar="TEXT", help=_("replace the answer"))
    q.set_defaults(func=run_accept)

    q = dsub.add_parser("reject", help=_("reject a candidate"), description=_("Reject question/answer candidates."))
    q.add_argument("ids", nargs="+", type=int, metavar="ID")
    q.set_defaults(func=run_reject)


def _progress():
    if not sys.stderr.isatty():
        return None
    last = [-1]

    def show(done: int, total: int) -> None:
        pct = int(100 * done / max(1, total))
        if pct != last[0]:
            last[0] = pct
            print(f"\r{pct:3d}%", end="", file=sys.stderr, flush=True)

    return show


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {"fmt": args.fmt, "speakers": args.speakers, "columns": args.columns, "pii": args.pii,
            "near_dup": args.near_dup, "min_chars": args.min_chars, "max_chars": args.max_chars,
            "max_tokens": args.max_tokens, "tokenizer": args.tokenizer, "gap_minutes": args.gap_minutes or None,
            "domains_file": args.domains, "progress": _progress()}


def _print_summary(res: Any, *, what: str) -> None:
    from ..datasets.formats.noise import dropped_text
    from ..datasets.placeholders import braces

    if sys.stderr.isatty():
        print("\r    \r", end="", file=sys.stderr)
    print(_("{what}: {read}, {kept}, {duplicates}, {near}, {rejected}.").format(
        what=what, read=ngettext("{n} record read", "{n} records read", res.read).format(n=res.read),
        kept=ngettext("{n} kept", "{n} kept", res.imported).format(n=res.imported),
        duplicates=ngettext("{n} duplicate", "{n} duplicates", res.duplicates).format(n=res.duplicates),
        near=ngettext("{n} near-duplicate", "{n} near-duplicates", res.near_duplicates).format(n=res.near_duplicates),
        rejected=ngettext("{n} rejected", "{n} rejected", res.rejected).format(n=res.rejected)))
    kinds = kinds_line(res)  # preference pairs, undesirable (KTO) examples
    if kinds:
        print(kinds)
    if res.passages:
        print(ngettext("{n} document passage.", "{n} document passages.", res.passages).format(n=res.passages))
    if res.dropped:
        print(_("Left out of the chat export: {list}.").format(list=dropped_text(res.dropped)))
    if res.filled:
        print(ngettext("Placeholders {names} filled in {n} example.", "Placeholders {names} filled in {n} examples.",
                       res.filled).format(names=braces(res.placeholder_values), n=res.filled))
    if res.pii_replacements:
        print(ngettext("{n} personal data item replaced.", "{n} personal data items replaced.",
                       res.pii_replacements).format(n=res.pii_replacements))
    if res.domains:
        print(_("Domains: {list}").format(list=", ".join(f"{k} {v}" for k, v in sorted(res.domains.items()))))
    for p in res.problems[:20]:
        print(f"  {p}")
    if res.rejected > 20:
        print(_("  … and {n} more").format(n=res.rejected - min(20, len(res.problems))))
    for w in res.warnings:
        print(_("Warning: {text}").format(text=w))


def _nothing_kept(res: Any, what: str) -> int:
    """Exit status of an import or conversion: 1, with the reasons on stderr, when it kept nothing."""
    from ..datasets.pipeline import kept_nothing

    if not kept_nothing(res) or res.cancelled:
        return 0
    if res.read == 0:
        why = _("no conversation was found in the input (check --format and --speakers with --preview)")
    elif res.rejected == res.read:
        why = ngettext("its {n} record was rejected (reasons above)", "all {n} records were rejected (reasons above)",
                       res.read).format(n=res.read)
    else:
        why = _("every record was a duplicate of one already kept")
    print(_("error: nothing was kept: {why}; {what}").format(why=why, what=what), file=sys.stderr)
    return 1


def run_convert(args: argparse.Namespace) -> int:
    from ..datasets.importers import convert_file

    res = convert_file(args.input, args.out, **_options(args))
    if args.json:
        print_json(res)
    else:
        _print_summary(res, what=_("Wrote {path}").format(path=res.out_path))
    return _nothing_kept(res, _("the output holds no example."))


def _print_preview(pv: Any, path: str, pii: bool) -> None:
    from ..datasets.clean import pii_preview
    from ..datasets.formats.noise import kind_reason
    from ..datasets.placeholders import braces
    from ..datasets.preview import is_dropped

    print(_("{file}: format {fmt}, encoding {enc}{fixed}").format(
        file=path, fmt=pv.format, enc=pv.encoding, fixed=_(" (garbled text repaired)") if pv.repaired_mojibake else ""))
    if pv.speakers_found:
        print(_("Speaker labels seen: {labels}").format(labels=", ".join(pv.speakers_found)))
    if pv.columns:
        print(_("Columns: {cols}").format(cols=", ".join(pv.columns)))
    if pv.placeholders:
        print(_("Placeholders: {names}").format(names=", ".join(
            "{{" + n + "}}" + (f" = {pv.values[n]!r}" if pv.values.get(n) else "") for n in pv.placeholders)))
        if pv.unfilled:
            print(_("Warning: {names} would be trained on literally; fill them with {example}.").format(
                names=braces(pv.unfilled), example=" ".join(f"--set {n}=…" for n in pv.unfilled[:2])))
    for rec in pv.records:
        if is_dropped(rec):
            print(f"--- {rec.ref}  [{kind_reason(rec.extra['dropped'])}]: {rec.extra.get('text', '')}")
            continue
        print(f"--- {rec.ref}" + (f"  [{_('rejected')}: {rec.problem}]" if rec.problem else ""))
        for m in rec.messages:
            print(f"{m['role']}: {turn_text(m)}")
        for line in record_lines(rec):  # tools, the rejected reply of a pair, an undesirable label
            print(line)
    for ref, text in pv.passages:
        print(f"--- {ref}\n{text}")
    if pii:
        for before, after in pii_preview(pv.records):
            print(_("PII: {before!r} → {after!r}").format(before=before, after=after))


def run_import(args: argparse.Namespace) -> int:
    from ..datasets.importers import import_files, preview_file
    from ..datasets.placeholders import parse_assignments

    values = parse_assignments(args.values)
    if args.preview:
        previews = [preview_file(f, fmt=args.fmt, speakers=args.speakers, columns=args.columns, limit=args.n,
                                 gap_minutes=args.gap_minutes or None, max_tokens=args.max_tokens, values=values)
                    for f in args.files]
        if args.json:
            print_json(previews)
        else:
            for f, pv in zip(args.files, previews):
                _print_preview(pv, f, args.pii)
        return 0
    res = import_files(args.name, args.files, values=values, **_options(args))
    if args.json:
        print_json(res)
    else:
        _print_summary(res, what=_("Dataset '{name}'").format(name=args.name))
    return _nothing_kept(res, _("no dataset was created or changed.") if res.rejected or not res.read else
                         _("the dataset '{name}' was left as it was.").format(name=args.name))


def run_questions(args: argparse.Namespace) -> int:
    from ..datasets.questions import generate_for_dataset

    res = generate_for_dataset(args.name, sources=args.sources, per_passage=args.per_passage,
                               max_passages=args.max_passages, model_id=args.model, max_tokens=args.max_tokens,
                               progress=_progress())
    if args.json:
        print_json([{"id": i, **c.__dict__} for i, c in res])
        return 0
    if sys.stderr.isatty():
        print("\r    \r", end="", file=sys.stderr)
    print(ngettext("{n} candidate waiting for review in '{name}'; see 'aeon-studio dataset candidates {name}'.",
                   "{n} candidates waiting for review in '{name}'; see 'aeon-studio dataset candidates {name}'.",
                   len(res)).format(n=len(res), name=args.name))
    return 0


def run_candidates(args: argparse.Namespace) -> int:
    from ..datasets import DatasetStore

    rows = DatasetStore().list_candidates(args.name, status=None if args.all else "pending")
    if args.json:
        print_json(rows)
    elif not rows:
        print(_("No candidates. Generate some with 'aeon-studio dataset questions {name} --from FILE'.").format(
            name=args.name))
    else:
        print_table([[r.id, _(r.status), r.passage_ref, r.question[:60], r.answer[:60]] for r in rows],
                    [_("ID"), _("STATUS"), _("PASSAGE"), _("QUESTION"), _("ANSWER")])
    return 0


def run_accept(args: argparse.Namespace) -> int:
    from ..datasets import DatasetStore

    store = DatasetStore()
    for cid in args.ids:
        ex = store.accept_candidate(cid, question=args.question, answer=args.answer)
        print(_("Candidate {id} accepted as example {ex}.").format(id=cid, ex=ex))
    return 0


def run_reject(args: argparse.Namespace) -> int:
    from ..datasets import DatasetStore

    store = DatasetStore()
    for cid in args.ids:
        store.reject_candidate(cid)
        print(_("Candidate {id} rejected.").format(id=cid))
    return 0
