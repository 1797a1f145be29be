"""``aeon-studio arena ask|vote|stats``: the blind A/B comparison of two models."""

from __future__ import annotations

import argparse

from ..i18n import _, ngettext
from .common import print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("arena", help=_("blind A/B comparison of two models: ask, vote, standings"),
                       description=_("Two models answer the same prompt as A and B in random order; vote for the "
                                     "better one without knowing which is which, then see who wrote what."))
    cmds = p.add_subparsers(dest="arena_command", metavar="ACTION", required=True)

    q = cmds.add_parser("ask", help=_("both models answer a prompt, shown as A and B"),
                        description=_("Both models answer PROMPT; the replies are shown as A and B without saying "
                                      "which model wrote which. MODEL: 'base', 'active' or an adapter id."))
    q.add_argument("prompt", metavar="PROMPT")
    q.add_argument("--a", required=True, metavar="MODEL", help=_("the first model: base, active or an adapter id"))
    q.add_argument("--b", required=True, metavar="MODEL", help=_("the second model: base, active or an adapter id"))
    q.add_argument("--persona", metavar="KEY", help=_("whose system prompt and settings (default: the default "
                                                      "persona)"))
    q.add_argument("--seed", type=int, help=_("fix the A/B order and the sampling"))
    q.add_argument("--greedy", action="store_true", help=_("temperature 0: each model's most likely reply"))
    q.add_argument("--json", action="store_true", help=_("print one JSON object"))
    q.set_defaults(func=_ask)

    v = cmds.add_parser("vote", help=_("vote on a comparison, then see which model was which"),
                        description=_("Vote a, b, tie or both-bad on the comparison ID (once), then the models are "
                                      "revealed. A vote for one reply also stores a preference pair for training."))
    v.add_argument("match_id", metavar="ID")
    v.add_argument("choice", metavar="a|b|tie|both-bad")
    v.add_argument("--json", action="store_true", help=_("print one JSON object"))
    v.set_defaults(func=_vote)

    s = cmds.add_parser("stats", help=_("wins, losses and score of each model"),
                        description=_("Each model's wins, losses, ties and 'both bad' votes, win rate (a tie counts "
                                      "half) and Bradley–Terry score on the Elo scale with its 95 % interval."))
    s.add_argument("--persona", metavar="KEY", help=_("only this persona's comparisons"))
    s.add_argument("--json", action="store_true", help=_("print JSON"))
    s.set_defaults(func=_stats)


def _ask(args: argparse.Namespace) -> int:
    from ..evaluation.arena import ask

    match = ask(args.prompt, args.a, args.b, persona_key=args.persona, seed=args.seed, greedy=args.greedy)
    replies = [{"label": "A", "text": match.reply_a}, {"label": "B", "text": match.reply_b}]
    if args.json:  # no model names: the vote has to be blind
        print_json({"id": match.id, "replies": replies})
        return 0
    for reply in replies:
        print(f"— {reply['label']} —")
        print(reply["text"] or _("(empty reply)"))
        print()
    print(_("Vote with: aeon-studio arena vote {id} a|b|tie|both-bad").format(id=match.id))
    return 0


def _vote(args: argparse.Namespace) -> int:
    from ..evaluation.arena import arena_dataset, vote, winner

    match = vote(args.match_id, args.choice)
    best = winner(match)
    if args.json:
        print_json({"id": match.id, "vote": match.vote, "a": match.model_a, "b": match.model_b, "winner": best,
                    "dataset": arena_dataset(match.persona_key) if best else None})
        return 0
    print(_("A was {model}.").format(model=match.model_a))
    print(_("B was {model}.").format(model=match.model_b))
    if best:
        print(_("Preference stored in dataset '{name}'.").format(name=arena_dataset(match.persona_key)))
    return 0


def _stats(args: argparse.Namespace) -> int:
    from ..evaluation.arena import stats

    standings = stats(persona_key=args.persona)
    if args.json:
        print_json([st.as_dict() for st in standings])
        return 0
    if not standings:
        print(_("No votes yet. Compare two models with 'aeon-studio arena ask'."))
        return 0
    rows = [[st.model, st.wins, st.losses, st.ties, st.both_bad,
             f"{st.win_rate:.0%}" if st.win_rate is not None else "—",
             f"{st.score:.0f} ({st.low:.0f}–{st.high:.0f})"] for st in standings]
    print_table(rows, [_("model"), _("wins"), _("losses"), _("ties"), _("both bad"), _("win rate"),
                       _("score (95 % interval)")])
    total = sum(st.matches for st in standings) // 2
    print(ngettext("{n} vote", "{n} votes", total).format(n=total))
    return 0
