"""``aeon-studio domains list|show|set|classify``: the conversation domains, their keywords and examples."""

from __future__ import annotations

import argparse

from ..i18n import _
from .common import print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("domains", help=_("conversation domains (technical, support, legal, general, your own)"),
                       description=_("The domains messages are sorted into: their keywords (the same ones that "
                                     "tag imported datasets) and example messages. A persona with 'route by domain' "
                                     "answers each message with its adapter for that domain."))
    dsub = p.add_subparsers(dest="domains_command", metavar="ACTION", required=True)
    ls = dsub.add_parser("list", help=_("list the domains"))
    ls.add_argument("--json", action="store_true", help=_("print one JSON object"))
    ls.set_defaults(func=_list)
    show = dsub.add_parser("show", help=_("a domain's keywords and examples"))
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help=_("print one JSON object"))
    show.set_defaults(func=_show)
    st = dsub.add_parser("set", help=_("create or change a domain"))
    st.add_argument("name", metavar="NAME")
    st.add_argument("--keywords", nargs="*", metavar="WORD", help=_("the domain's keywords (replace the old ones)"))
    st.add_argument("--examples", nargs="*", metavar="MESSAGE", help=_("example messages (replace the old ones)"))
    st.add_argument("--remove", action="store_true", help=_("delete a domain of your own"))
    st.add_argument("--json", action="store_true", help=_("print one JSON object"))
    st.set_defaults(func=_set)
    rt = dsub.add_parser("route", help=_("a persona's domain → adapter map, and routing on or off"))
    rt.add_argument("persona", metavar="PERSONA")
    rt.add_argument("--enabled", choices=("on", "off"), help=_("answer each message with the adapter of its domain"))
    rt.add_argument("--map", nargs="*", default=[], metavar="DOMAIN=ADAPTER",
                    help=_("adapter per domain (DOMAIN= removes it); 'general' is the fallback"))
    rt.add_argument("--json", action="store_true", help=_("print one JSON object"))
    rt.set_defaults(func=_route)
    cl = dsub.add_parser("classify", help=_("which domain a message belongs to, and why"))
    cl.add_argument("text", metavar="TEXT")
    cl.add_argument("--json", action="store_true", help=_("print one JSON object"))
    cl.set_defaults(func=_classify)


def _as_dict(d) -> dict:
    return {"name": d.name, "builtin": d.builtin, "keywords": d.keywords, "examples": d.examples}


def _list(args: argparse.Namespace) -> int:
    from ..datasets.records import DOMAIN_LABELS
    from ..domains import list_domains

    domains = list_domains()
    if args.json:
        print_json({"domains": [_as_dict(d) for d in domains]})
        return 0
    print_table([[d.name, _(DOMAIN_LABELS[d.name]) if d.name in DOMAIN_LABELS else d.name, len(d.keywords),
                  len(d.examples)] for d in domains],
                [_("Domain"), _("Shown as"), _("Keywords"), _("Examples")])
    return 0


def _print_domain(d) -> None:
    print(_("Domain: {name}").format(name=d.name))
    print(_("Keywords: {words}").format(words=", ".join(d.keywords) or "—"))
    print(_("Examples:"))
    for e in d.examples or ["—"]:
        print(f"  {e}")


def _show(args: argparse.Namespace) -> int:
    from ..domains import get_domain

    d = get_domain(args.name)
    if args.json:
        print_json(_as_dict(d))
    else:
        _print_domain(d)
    return 0


def _set(args: argparse.Namespace) -> int:
    from ..domains import set_domain
    from ..errors import ValidationError

    if args.keywords is None and args.examples is None and not args.remove:
        raise ValidationError(_("Nothing to change for domain '{name}'.").format(name=args.name),
                              hint=_("Give --keywords, --examples or --remove."))
    d = set_domain(args.name, keywords=args.keywords, examples=args.examples, remove=args.remove)
    if args.json:
        print_json({"removed": args.name} if d is None else _as_dict(d))
    elif d is None:
        print(_("Domain '{name}' removed.").format(name=args.name))
    else:
        _print_domain(d)
    return 0


def _classify(args: argparse.Namespace) -> int:
    from ..domains import classify

    c = classify(args.text)
    if args.json:
        print_json(c.as_dict())
    else:
        print(_("{domain}: {why}").format(domain=c.domain, why=c.explain()))
    return 0


def _route(args: argparse.Namespace) -> int:
    from ..chat.routing import parse_mapping, set_routing
    from ..domains import domain_names
    from ..errors import AeonError
    from ..export.adapters import get_adapter
    from ..personas import PersonaStore

    def exists(aid: str) -> bool:
        try:
            get_adapter(aid)
        except AeonError:
            return False
        return True

    store = PersonaStore()
    if args.enabled is None and not args.map:
        p = store.get(args.persona)
    else:
        p = set_routing(store, args.persona, enabled=None if args.enabled is None else args.enabled == "on",
                        mapping=parse_mapping(args.map), known_domains=domain_names(), adapter_exists=exists)
    if args.json:
        print_json({"persona": p.key, "route_by_domain": p.route_by_domain, "domain_adapters": p.domain_adapters,
                    "adapter": p.adapter_id})
        return 0
    print(_("Persona '{key}': route by domain {state}.").format(
        key=p.key, state=_("on") if p.route_by_domain else _("off")))
    for domain, aid in sorted(p.domain_adapters.items()):
        print(f"  {domain} → {aid}")
    return 0
