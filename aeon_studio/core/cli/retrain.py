"""``aeon-studio retrain``: what the chat's Retrain button does, headless."""

from __future__ import annotations

import argparse
import sys

from ..i18n import _
from .common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("retrain", help=_("retrain a persona on its rated chats, identity set and datasets"),
                       description=_("Fine-tune the persona on the replies you rated 4 or 5 stars and your "
                                     "corrections, plus the newest identity set and the persona's datasets, "
                                     "exactly as the Retrain button does. Some examples are held out to "
                                     "measure the result, and the new adapter is checked in llama.cpp."))
    p.add_argument("--persona", required=True, metavar="KEY", help=_("the persona to retrain"))
    p.add_argument("--preset", default="quick", choices=["quick", "balanced", "thorough"],
                   help=_("training preset (default: quick)"))
    p.add_argument("--plan", action="store_true", help=_("only show what it would train on"))
    p.add_argument("--yes", action="store_true",
                   help=_("train even with fewer examples than the recommended minimum"))
    p.add_argument("--json", action="store_true", help=_("print the plan as JSON (with --plan)"))
    p.add_argument("--json-events", action="store_true", help=_("print the worker's JSON events, one per line"))
    p.set_defaults(func=_retrain)


def _retrain(args: argparse.Namespace) -> int:
    from ..personas import PersonaStore
    from ..storage import get_database
    from ..training.retrain import create_retrain_run, plan_retrain
    from .train import follow

    db = get_database()
    key = PersonaStore(db).get(args.persona).key  # an unknown persona fails here, with its hint
    plan = plan_retrain(key, db)
    if args.plan:
        if args.json:
            print_json(plan.as_dict())
        else:
            print(plan.describe())
            for w in plan.warnings():
                print(w)
        return 0
    for w in plan.warnings():
        print(w, file=sys.stderr)
    if plan.too_small and not args.yes:
        print(_("Nothing was trained. Add examples, or pass --yes to train on these anyway."), file=sys.stderr)
        return 2
    row = create_retrain_run(plan, db, preset=args.preset)
    if not args.json_events:
        print(plan.describe(), file=sys.stderr)
        print(_("Run {id} created.").format(id=row.id), file=sys.stderr)
    return follow(row.id, args.json_events)
