"""``aeon-studio settings show|set``: the app's settings (``<home>/settings.json``), read and changed from the CLI."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..errors import ValidationError
from ..i18n import _
from .common import print_json, print_table

#: Where every other file lives; moved with AEON_STUDIO_HOME, never stored in the file it locates.
FIXED = {"home"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help=_("show or change the app's settings"),
                       description=_("The app's settings, stored in <home>/settings.json; an AEON_STUDIO_<NAME> "
                                     "environment variable wins over the file."))
    ps = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = ps.add_parser("show", help=_("list every setting with its value and what it does"))
    q.add_argument("--json", action="store_true", help=_("print JSON"))
    q.set_defaults(func=_show)
    q = ps.add_parser("set", help=_("change one setting (checked before it is saved)"))
    q.add_argument("name", metavar="NAME", help=_("e.g. machine_hourly_price"))
    q.add_argument("value", metavar="VALUE")
    q.set_defaults(func=_set)


def _fields() -> dict[str, Any]:
    from ..settings import Settings

    return {k: f for k, f in Settings.model_fields.items() if k not in FIXED}


def _show(args: argparse.Namespace) -> int:
    from ..settings import get_settings

    s = get_settings()
    values = {k: getattr(s, k) for k in _fields()}
    if args.json:
        print_json(values)
        return 0
    print_table([[k, v, _(f.description) if f.description else ""]
                 for (k, v), f in zip(values.items(), _fields().values())],
                [_("NAME"), _("VALUE"), _("WHAT IT DOES")])
    return 0


def _set(args: argparse.Namespace) -> int:
    from ..settings import change

    if args.name not in _fields():
        raise ValidationError(_("There is no setting '{name}'.").format(name=args.name),
                              hint=_("See them all with 'aeon-studio settings show'."))
    try:  # the whole model checks the value (type, range, pattern) before anything is written
        value = getattr(change(**{args.name: args.value}), args.name)
    except ValidationError as exc:
        if exc.hint is None:
            raise ValidationError(exc.message, hint=_("See 'aeon-studio settings show'.")) from exc
        raise
    print(_("{name} = {value}").format(name=args.name, value=value))
    env = f"AEON_STUDIO_{args.name.upper()}"
    if env in os.environ:
        print(_("Note: {env} is set in the environment, and it wins over the saved value.").format(env=env),
              file=sys.stderr)
    return 0
