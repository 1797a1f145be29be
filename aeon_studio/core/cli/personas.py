"""``aeon-studio personas list|show|add|edit|remove|reset``."""

from __future__ import annotations

import argparse
import sys

from ..errors import ValidationError
from ..i18n import _, ngettext
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
    g = p.add_argument_group(_("chat backend"))
    g.add_argument("--backend", choices=("embedded", "ollama", "openai"),
                   help=_("who answers: the embedded llama.cpp engine, an Ollama server or an OpenAI-compatible API"))
    g.add_argument("--model", metavar="NAME", help=_("the server's model name, e.g. qwen2.5:1.5b (ollama)"))
    g.add_argument("--url", metavar="URL", help=_("the server's address: on this computer (http://127.0.0.1:11434) "
                                                  "or https; empty for ollama means OLLAMA_HOST"))
    g.add_argument("--fallback", metavar="KIND[:MODEL][@URL][,…]",
                   help=_("backends tried in order when the first cannot answer, e.g. "
                          "'openai:llama-3.1-8b-instant@https://api.groq.com/openai/v1,embedded' ('' clears)"))
    g.add_argument("--api-key", dest="api_key", action="store_true",
                   help=_("store an API key for the persona's OpenAI-compatible server in the system keyring; the key "
                          "is read from a prompt, or from standard input when it is not a terminal"))
    g.add_argument("--forget-api-key", dest="forget_api_key", action="store_true",
                   help=_("remove the stored API key of the persona's OpenAI-compatible server"))
    g.add_argument("--memory-local-only", dest="memory_local_only", action=argparse.BooleanOptionalAction,
                   help=_("recalled memory goes only into prompts that stay on this computer (default: on)"))


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


def _changes(args: argparse.Namespace, current=None) -> dict:
    from ..personas import parse_dataset_names

    fields = ("name", "description", "system_prompt", "temperature", "top_p", "max_tokens", "memory_local_only")
    out = {f: getattr(args, f) for f in fields if getattr(args, f, None) is not None}
    if getattr(args, "datasets", None) is not None:
        out["datasets"] = parse_dataset_names(args.datasets)
    backends = _backends(args, current)
    if backends is not None:
        out["backends"] = backends
    return out


def parse_backend_spec(spec: str) -> dict:
    """``openai:llama-3.1-8b-instant@https://api.groq.com/openai/v1`` → ``{"kind", "model", "url"}``.

    The kind comes first, the model after the first ':' and the URL after the first '@' (model names may hold ':').
    """
    head, _sep, url = spec.strip().partition("@")
    kind, _sep, model = head.partition(":")
    kind = kind.strip()
    if kind not in ("embedded", "ollama", "openai"):
        raise ValidationError(_("--fallback: '{spec}' does not start with embedded, ollama or openai.").format(
                                  spec=spec.strip()),
                              hint=_("Write each backend as KIND[:MODEL][@URL], e.g. ollama:qwen2.5:1.5b or "
                                     "openai:llama-3.1-8b-instant@https://api.groq.com/openai/v1."))
    return {"kind": kind, "model": model.strip(), "url": url.strip()}


def _backends(args: argparse.Namespace, current) -> list[dict] | None:
    """The persona's new backend list, or None when no backend option was given."""
    primary_given = any(getattr(args, f, None) is not None for f in ("backend", "model", "url"))
    if not primary_given and getattr(args, "fallback", None) is None:
        return None
    old = [b.model_dump() for b in current.backends] if current is not None else []
    first = old[0] if old else {"kind": "embedded", "model": "", "url": ""}
    if primary_given:
        kind = args.backend or first["kind"]
        same = kind == first["kind"]
        first = {"kind": kind, "model": args.model if args.model is not None else (first["model"] if same else ""),
                 "url": args.url if args.url is not None else (first["url"] if same else "")}
    rest = old[1:]
    if getattr(args, "fallback", None) is not None:
        rest = [parse_backend_spec(s) for s in args.fallback.split(",") if s.strip()]
    if first["kind"] == "embedded" and not rest and not first["model"] and not first["url"]:
        return []  # the default: no row of settings for it
    return [first, *rest]


def _key_url(persona) -> str:
    """The URL of the persona's first OpenAI-compatible backend (the one an API key is for)."""
    for b in persona.backends:
        if b.kind == "openai":
            return b.url
    raise ValidationError(_("Persona '{key}' has no OpenAI-compatible backend to use an API key with; nothing was "
                            "stored.").format(key=persona.key),
                          hint=_("Add one first: --backend openai --model NAME --url URL (or --fallback openai:…)."))


def _read_key(url: str) -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(_("API key for {url} (not shown): ").format(url=url))
    return sys.stdin.readline().strip()


def _keys(args: argparse.Namespace, persona) -> None:
    """Store or forget the API key of the persona's OpenAI-compatible server (in the keyring, never the database)."""
    from ..chat.backends.keys import delete_api_key, set_api_key

    if getattr(args, "forget_api_key", False):
        url = _key_url(persona)
        if delete_api_key(url):
            print(_("Removed the API key for {url}.").format(url=url))
        else:
            print(_("No API key was stored for {url}.").format(url=url))
    if getattr(args, "api_key", False):
        url = _key_url(persona)
        set_api_key(url, _read_key(url))
        print(_("Stored the API key for {url} in the system keyring.").format(url=url))


def _check_key_target(args: argparse.Namespace, persona) -> None:
    """Refuse --api-key before anything is written when the new settings have no server to use it with."""
    if getattr(args, "api_key", False) or getattr(args, "forget_api_key", False):
        _key_url(persona)


def _list(args: argparse.Namespace) -> int:
    personas = _store().list()
    if args.json:
        print_json([p.model_dump() for p in personas])
        return 0
    rows = [[p.key, p.name, p.temperature, p.top_p, p.max_tokens,
             _("built-in (edited)") if p.customized else _("built-in (original)") if p.builtin else _("custom"),
             _backend_column(p)]
            for p in personas]
    print_table(rows, [_("KEY"), _("NAME"), _("TEMP"), _("TOP_P"), _("MAX_TOKENS"), _("KIND"), _("BACKEND")])
    return 0


def _backend_column(p) -> str:
    if not p.backends:
        return "embedded"
    text = p.backends[0].label()
    if len(p.backends) > 1:
        n = len(p.backends) - 1
        text += " " + ngettext("(+{n} fallback)", "(+{n} fallbacks)", n).format(n=n)
    return text + (" " + _("[online]") if p.sends_off_machine else "")


def _show(args: argparse.Namespace) -> int:
    from ..chat.backends.keys import has_api_key

    p = _store().get(args.key)
    data = p.model_dump()
    data["sends_off_machine"] = p.sends_off_machine
    # Whether a key is stored, never the key.
    data["api_keys"] = {b.url: has_api_key(b.url) for b in p.backends if b.kind == "openai"}
    print_json(data)
    return 0


def _add(args: argparse.Namespace) -> int:
    from ..personas import make_persona

    persona = make_persona(key=args.key, **_changes(args))
    _check_key_target(args, persona)
    persona = _store().add(persona)
    print(_("Added persona '{key}'.").format(key=persona.key))
    _keys(args, persona)
    return 0


def _edit(args: argparse.Namespace) -> int:
    from ..personas import make_persona

    store = _store()
    current = store.get(args.key)
    changes = _changes(args, current)
    _check_key_target(args, make_persona(**{**current.model_dump(), **changes}))
    persona = store.update(args.key, **changes)
    print(_("Updated persona '{key}'.").format(key=persona.key))
    _keys(args, persona)
    return 0


def _remove(args: argparse.Namespace) -> int:
    _store().remove(args.key)
    print(_("Removed persona '{key}'.").format(key=args.key))
    return 0


def _reset(args: argparse.Namespace) -> int:
    _store().reset(args.key)
    print(_("Reset persona '{key}' to its original settings.").format(key=args.key))
    return 0
