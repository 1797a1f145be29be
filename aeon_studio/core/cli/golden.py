"""``aeon-studio golden add|list|remove``: the questions every evaluation of a persona asks."""

from __future__ import annotations

import argparse

from ..i18n import _
from .common import print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("golden", help=_("golden prompts: questions whose answers every evaluation checks"),
                       description=_("A golden prompt is a question with texts its answer must and must not "
                                     "contain (case-insensitive). The gate never promotes a new adapter that "
                                     "passes fewer of them than the one it would replace."))
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ps.add_parser("add", help=_("add a golden prompt"))
    q.add_argument("prompt", metavar="PROMPT", help=_("the question, e.g. \"Who are you?\""))
    q.add_argument("--persona", required=True, metavar="KEY", help=_("persona key"))
    q.add_argument("--must", action="append", default=[], metavar="TEXT",
                   help=_("text the answer must contain (repeatable)"))
    q.add_argument("--must-not", action="append", default=[], metavar="TEXT",
                   help=_("text the answer must not contain (repeatable)"))
    q.add_argument("--regex", action="store_true", help=_("match every --must/--must-not as a regular expression"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_add)
    q = ps.add_parser("list", help=_("list golden prompts"))
    q.add_argument("--persona", metavar="KEY", help=_("only this persona's"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_list)
    q = ps.add_parser("remove", help=_("remove a golden prompt"))
    q.add_argument("id", type=int, metavar="ID", help=_("id from 'golden list'"))
    q.set_defaults(func=_remove)


def _add(args: argparse.Namespace) -> int:
    from ..evaluation.golden import add_golden, as_dict

    row = add_golden(args.persona, args.prompt, must=args.must, must_not=args.must_not, regex=args.regex)
    if args.json:
        print_json(as_dict(row))
    else:
        print(_("Added golden prompt {id} for persona '{persona}'.").format(id=row.id, persona=row.persona_key))
    return 0


def _list(args: argparse.Namespace) -> int:
    from ..evaluation.golden import as_dict, list_golden

    rows = list_golden(args.persona)
    if args.json:
        print_json([as_dict(r) for r in rows])
        return 0
    if not rows:
        print(_("No golden prompts yet. Add one with 'aeon-studio golden add \"Who are you?\" --persona KEY "
                "--must NAME'."))
        return 0
    print_table([[r.id, r.persona_key, r.prompt, " | ".join(r.must), " | ".join(r.must_not),
                  _("yes") if r.regex else ""] for r in rows],
                [_("ID"), _("PERSONA"), _("PROMPT"), _("MUST"), _("MUST NOT"), _("REGEX")])
    return 0


def _remove(args: argparse.Namespace) -> int:
    from ..evaluation.golden import remove_golden

    row = remove_golden(args.id)
    print(_("Removed golden prompt {id} (\"{prompt}\").").format(id=row.id, prompt=row.prompt))
    return 0
