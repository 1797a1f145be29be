"""``aeon-studio models list|add|remove``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..i18n import _
from .common import print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help=_("list and add GGUF models"),
                       description=_("The built-in models and any local GGUF files you added."))
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


def _list(args: argparse.Namespace) -> int:
    from ..models import ModelRegistry

    models = ModelRegistry().list()
    if args.json:
        print_json([{"id": m.id, "name": m.name, "path": str(m.path) if m.path else None, "builtin": m.builtin,
                     "chat": m.chat} for m in models])
        return 0
    rows = []
    for m in models:
        where = str(m.path) if m.path else _("(assembled on first use)")
        rows.append([m.id, m.name, _("built-in") if m.builtin else _("local"), where])
    print_table(rows, [_("ID"), _("NAME"), _("KIND"), _("FILE")])
    return 0


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
