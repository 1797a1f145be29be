"""``aeon-studio rate`` and ``survey`` (``stats`` is in :mod:`.stats`)."""

from __future__ import annotations

import argparse

from ..i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rate", help=_("rate an assistant reply 1-5"),
                       description=_("Rate an assistant reply on a 1-5 Likert scale (changeable)."))
    p.add_argument("message_id", type=int, metavar="MESSAGE_ID")
    p.add_argument("--likert", type=int, required=True, metavar="N", help=_("1 (bad) to 5 (excellent)"))
    p.set_defaults(func=_rate)

    p = sub.add_parser("survey", help=_("answer the usability (1-7) and NPS (0-10) questions"),
                       description=_("Record a usability score (1-7) and/or a Net Promoter answer (0-10)."))
    p.add_argument("--usability", type=int, metavar="N", help=_("1 (very hard) to 7 (very easy)"))
    p.add_argument("--nps", type=int, metavar="N", help=_("0-10: how likely you are to recommend Aeon"))
    p.set_defaults(func=_survey)


def _store():
    from ..storage import get_database
    from ..storage.chats import ChatStore

    return ChatStore(get_database())


def _rate(args: argparse.Namespace) -> int:
    rating = _store().rate(args.message_id, args.likert)
    print(_("Rated message {id}: {likert}/5").format(id=rating.message_id, likert=rating.likert))
    return 0


def _survey(args: argparse.Namespace) -> int:
    from ..errors import ValidationError
    from ..storage.chats import NPS_RANGE, USABILITY_RANGE, _check_range

    if args.usability is None and args.nps is None:
        raise ValidationError(_("Nothing to record."), hint=_("Give --usability N (1-7) and/or --nps N (0-10)."))
    # Validate both before storing either, so a bad value stores nothing.
    if args.usability is not None:
        _check_range(args.usability, *USABILITY_RANGE, what=_("A usability score"))
    if args.nps is not None:
        _check_range(args.nps, *NPS_RANGE, what=_("An NPS answer"))
    store = _store()
    if args.usability is not None:
        store.add_survey("usability", args.usability)
        print(_("Usability recorded: {n}/7").format(n=args.usability))
    if args.nps is not None:
        store.add_survey("nps", args.nps)
        print(_("NPS answer recorded: {n}/10").format(n=args.nps))
    return 0
