"""``aeon-studio personas list|show|add|edit|remove|reset``."""

from __future__ import annotations

import argparse

from ..i18n import _
from .common import print_json, print_table


def _settings_args(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--name", required=required, help=_("display name"))
    p.add_argument("--description", help=_("one-line description"))
    p.add_argument("--system-prompt", dest="system_prompt", help=_("system prompt"))
    p.add_argument("--temperature", type=float, help=_("0.0-2.0 (lower is more precise)"))
    p.add_argument("--top-p", dest="top_p", type=float, help=_("0.0-1.0 nucleus sampling"))
    p.add_argument("--max-tokens", dest="max_tokens", type=int, help=_("longest reply, in tokens"))
    p.add_argument("--datasets", metavar="NAME[,NAME]",
                   help=_("datasets added to this persona's retrain, comma-separated ('' clears the list)"))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("personas", help=_("list and edit personas"),
                       description=_("Personas give the assistant a system prompt and sampling settings."))
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ps.add_parser("list", help=_("list personas"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_list)
    q = ps.add_parser("show", help=_("show one persona"))
    q.add_argument("key")
    q.set_defaults(func=_show)
    q = ps.add_parser("add", help=_("add a custom persona"))
    q.add_argument("key", help=_("short id, e.g. 'suporte'"))
    _settings_args(q, required=True)
    q.set_defaults(func=_add)
    q = ps.add_parser("edit", help=_("change a persona's settings (built-ins too)"))
    q.add_argument("key")
    _settings_args(q, required=False)
    q.set_defaults(func=_edit)
    q = ps.add_parser("remove", help=_("remove a custom persona"))
    q.add_argument("key")
    q.set_defaults(func=_remove)
    q = ps.add_parser("reset", help=_("restore a built-in persona's original settings"))
    q.add_argument("key")
    q.set_defaults(func=_reset)


def _store():
    from ..personas import PersonaStore

    return PersonaStore()


def _changes(args: argparse.Namespace) -> dict:
    from ..personas import parse_dataset_names

    fields = ("name", "description", "system_prompt", "temperature", "top_p", "max_tokens")
    out = {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}
    if getattr(args, "datasets", None) is not None:
        out["datasets"] = parse_dataset_names(args.datasets)
    return out


def _list(args: argparse.Namespace) -> int:
    personas = _store().list()
    if args.json:
        print_json([p.model_dump() for p in personas])
        return 0
    rows = [[p.key, p.name, p.temperature, p.top_p, p.max_tokens,
             _("built-in (edited)") if p.customized else _("built-in (original)") if p.builtin else _("custom")]
            for p in personas]
    print_table(rows, [_("KEY"), _("NAME"), _("TEMP"), _("TOP_P"), _("MAX_TOKENS"), _("KIND")])
    return 0


def _show(args: argparse.Namespace) -> int:
    print_json(_store().get(args.key).model_dump())
    return 0


def _add(args: argparse.Namespace) -> int:
    from ..personas import make_persona

    persona = _store().add(make_persona(key=args.key, **_changes(args)))
    print(_("Added persona '{key}'.").format(key=persona.key))
    return 0


def _edit(args: argparse.Namespace) -> int:
    persona = _store().update(args.key, **_changes(args))
    print(_("Updated persona '{key}'.").format(key=persona.key))
    return 0


def _remove(args: argparse.Namespace) -> int:
    _store().remove(args.key)
    print(_("Removed persona '{key}'.").format(key=args.key))
    return 0


def _reset(args: argparse.Namespace) -> int:
    _store().reset(args.key)
    print(_("Reset persona '{key}' to its original settings.").format(key=args.key))
    return 0
