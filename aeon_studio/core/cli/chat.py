"""``aeon-studio chat``: terminal chat, or one exchange with ``--once``."""

from __future__ import annotations

import argparse
import sys

from ..errors import AeonError, ValidationError
from ..i18n import _
from .common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help=_("chat in the terminal (or one exchange with --once)"),
                       description=_("Chat with the assistant in the terminal. After each reply you can rate it 1-5."))
    p.add_argument("--once", metavar="TEXT", help=_("send one message, print the reply and exit"))
    p.add_argument("--persona", metavar="KEY", help=_("persona key (see 'aeon-studio personas list')"))
    p.add_argument("--model", metavar="ID", help=_("model id (see 'aeon-studio models list')"))
    p.add_argument("--conversation", type=int, metavar="ID", help=_("continue this conversation"))
    p.add_argument("--seed", type=int, help=_("sampling seed, for reproducible replies"))
    p.add_argument("--json", action="store_true", help=_("with --once: print one JSON object"))
    p.set_defaults(func=run)


def _conversation(service, args) -> int:
    if args.conversation:
        return service.store.get_conversation(args.conversation).id
    return service.new_conversation(args.persona, args.model).id


def _stream_to_stdout(reply) -> None:
    shown = list(reply.notices)
    for notice in shown:
        print(f"[{notice}]", file=sys.stderr)
    for piece in reply:
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")
    for notice in reply.notices[len(shown):]:  # e.g. a fallback: known once a backend answered
        print(f"[{notice}]", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from ..services import build_chat_service

    service = build_chat_service()
    if args.once is not None:
        if not args.once.strip():
            raise ValidationError(_("The message is empty; nothing was sent."))
        conv_id = _conversation(service, args)
        reply = service.send(conv_id, args.once, persona_key=args.persona, model_id=args.model, seed=args.seed)
        if args.json:
            text = reply.run()
            msg = reply.message
            meta = msg.meta if msg else {}
            print_json({
                "conversation_id": conv_id,
                "message_id": msg.id if msg else None,
                "user_message_id": reply.user_message.id if reply.user_message else None,
                "reply": text,
                "persona": reply.persona.key,
                "model": reply.model_id,
                "adapter": reply.adapter_id,
                # Set when the persona routes by domain: the message's domain and why the adapter was chosen.
                "domain": meta.get("domain", reply.meta.get("domain")),
                "route": meta.get("route", reply.meta.get("route")),
                # Who answered: embedded / ollama / openai, its model, and whether the prompt stayed on this computer.
                "backend": meta.get("backend", getattr(reply.stream, "backend", None)),
                "backend_model": meta.get("backend_model", getattr(reply.stream, "backend_model", None)),
                "backend_local": meta.get("backend_local", getattr(reply.stream, "is_local", None)),
                "notices": reply.notices,
                "finish_reason": reply.stream.finish_reason,
                "memory_sources": reply.meta.get("memory_sources", []),
                "memory_saved": reply.meta.get("memory_saved", []),
            })
        else:
            _stream_to_stdout(reply)
        return 0
    return _interactive(service, args)


def _interactive(service, args) -> int:
    conv_id = _conversation(service, args)
    conv = service.store.get_conversation(conv_id)
    persona = service.personas.get(conv.persona_key)
    if persona.backends and persona.backends[0].kind != "embedded":
        print(_("Chatting with persona '{persona}' through {backend}. Type /quit to leave.").format(
            persona=persona.key, backend=persona.backends[0].label()))
    else:
        print(_("Chatting with persona '{persona}' on model '{model}'. Type /quit to leave.").format(
            persona=conv.persona_key, model=conv.model_id))
    if persona.sends_off_machine:
        print(_("Note: this persona may send your messages to another computer ({where})."
                ).format(where=", ".join(b.effective_url() for b in persona.backends if not b.is_local)))
    while True:
        try:
            text = input(_("you> "))
        except EOFError:
            print()
            return 0
        if text.strip() in ("/quit", "/exit", "/sair"):
            return 0
        if not text.strip():
            continue
        try:
            reply = service.send(conv_id, text, persona_key=args.persona, model_id=args.model, seed=args.seed)
            sys.stdout.write(_("aeon> "))
            try:
                _stream_to_stdout(reply)
            except KeyboardInterrupt:
                reply.cancel()
                print(_("\n[stopped]"))
        except AeonError as err:
            print(_("error: {message}").format(message=err), file=sys.stderr)
            continue
        if reply.message is None:
            continue
        _ask_rating(service, reply.message.id)


def _ask_rating(service, message_id: int) -> None:
    while True:
        try:
            answer = input(_("Rate the reply (1-5, Enter to skip): ")).strip()
        except EOFError:
            return
        if not answer:
            return
        try:
            service.store.rate(message_id, int(answer) if answer.lstrip("-").isdigit() else answer)
            return
        except ValidationError as err:
            print(err, file=sys.stderr)
