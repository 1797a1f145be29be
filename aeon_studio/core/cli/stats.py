"""``aeon-studio stats``: the overall counts, or satisfaction per adapter version, persona or week (``--by``)."""

from __future__ import annotations

import argparse

from ..i18n import _, ngettext
from .common import print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stats", help=_("ratings, usability, NPS and arena votes, overall or per version"),
                       description=_("Without --by: how many messages and ratings there are, averages and the NPS. "
                                     "With --by: per adapter version, persona or week, the mean rating with its 95 % "
                                     "interval and count, the NPS, the usability mean and the arena win rate."))
    p.add_argument("--by", choices=("adapter", "persona", "week"),
                   help=_("group by adapter version, persona or week (Monday's date)"))
    p.add_argument("--since", metavar="PERIOD", help=_("only the last days/weeks ('30d', '8w') or from a date "
                                                       "(2026-11-01); with --by"))
    p.add_argument("--persona", metavar="KEY", help=_("only this persona's replies; with --by"))
    p.add_argument("--adapter", metavar="ID", help=_("only this version's replies ('base': no adapter); with --by"))
    p.add_argument("--json", action="store_true", help=_("print one JSON object"))
    p.set_defaults(func=_stats)


def _summary(args: argparse.Namespace) -> int:
    from ..storage import get_database
    from ..storage.chats import ChatStore

    s = ChatStore(get_database()).stats()
    if args.json:
        print_json(s)
        return 0
    dash = "—"
    print(_("Conversations: {n}").format(n=s.conversations))
    print(_("Messages: {n} ({replies})").format(
        n=s.messages, replies=ngettext("{n} reply", "{n} replies", s.replies).format(n=s.replies)))
    print(_("Rated replies: {n}, average {avg}").format(n=s.rated,
                                                         avg=s.likert_avg if s.likert_avg is not None else dash))
    print(_("Usability: {avg} ({answers})").format(
        avg=s.usability_avg if s.usability_avg is not None else dash,
        answers=ngettext("{n} answer", "{n} answers", s.usability_answers).format(n=s.usability_answers)))
    print(_("NPS: {nps} ({answers})").format(
        nps=s.nps if s.nps is not None else dash,
        answers=ngettext("{n} answer", "{n} answers", s.nps_answers).format(n=s.nps_answers)))
    return 0


def _stats(args: argparse.Namespace) -> int:
    from ..errors import ValidationError

    if args.by is None:
        if args.since or args.persona or args.adapter:
            raise ValidationError(_("--since, --persona and --adapter only filter the groups of --by."),
                                  hint=_("Add --by adapter, --by persona or --by week."))
        return _summary(args)
    from ..personas import PersonaStore
    from ..stats import MIN_RATINGS, group_stats, parse_since, version_changes

    since = parse_since(args.since) if args.since else None
    if args.persona:
        PersonaStore().get(args.persona)  # an unknown key: NotFoundError naming it, before any query
    groups = group_stats(args.by, since=since, persona=args.persona, adapter=args.adapter)
    if args.json:
        print_json({"by": args.by, "since": since, "persona": args.persona, "adapter": args.adapter,
                    "min_ratings": MIN_RATINGS, "groups": [g.as_dict() for g in groups],
                    "promotions": [{"persona": c.persona_key, "adapter": c.adapter_id, "at": c.at, "by": c.by}
                                   for c in version_changes(args.persona)]})
        return 0
    if not groups:
        print(_("No ratings, survey answers or arena votes yet for this selection."))
        return 0
    dash = "—"

    def mean(g) -> str:
        if not g.likert_n:
            return dash
        if not g.enough:
            return _("not enough ratings yet ({n})").format(n=g.likert_n)
        return _("{mean:.2f} ({low:.2f}–{high:.2f}), n={n}").format(mean=g.likert_mean, low=g.likert_low,
                                                                   high=g.likert_high, n=g.likert_n)

    rows = [[g.key, mean(g), dash if g.nps is None else f"{g.nps:+.0f} (n={g.nps_n})",
             dash if g.usability_mean is None else f"{g.usability_mean:.1f} (n={g.usability_n})",
             dash if g.arena_win_rate is None else f"{g.arena_win_rate:.0%} (n={g.arena_n})"] for g in groups]
    print_table(rows, [{"adapter": _("Version"), "persona": _("Persona"), "week": _("Week of")}[args.by],
                       _("Rating 1-5 (95 % interval)"), _("NPS"), _("Usability 1-7"), _("Arena win rate")])
    return 0
