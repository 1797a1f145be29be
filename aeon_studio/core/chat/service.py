"""Chat service: personas + models + storage + engine, shared by the GUI, the CLI and the API.

``send`` stores the user's message and returns a :class:`Reply`: iterate it for the
streamed text; when it ends — finished, stopped or failed — the text produced so far
is stored as the assistant's message, so nothing already shown is ever lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..i18n import _
from ..models.registry import ModelRegistry
from ..personas import Persona, PersonaStore
from ..settings import get_settings
from ..storage import Database, get_database
from ..storage.chats import ChatStore
from ..storage.tables import Conversation, Message
from .backends.base import ChatBackend, ReplyStream
from .backends.build import backend_for
from .engine import ChatEngine, ChatParams, get_engine
from .routing import Classifier, Route, route

log = logging.getLogger(__name__)

#: A prompt hook sees the messages about to be sent (it may change them, e.g. add
#: recalled memory next to the newest user turn) and returns metadata to store with
#: the reply (e.g. ``{"memory_sources": [...]}``), or None.
PromptHook = Callable[..., dict[str, Any] | None]
#: Maps an adapter id to its llama.cpp LoRA GGUF file (the adapters module's ``resolve_lora_gguf``).
AdapterResolver = Callable[[str], Path | None]

#: A reply hook is called with the :class:`Reply` once its message is stored (e.g. to remember
#: the exchange); its exceptions are logged, never raised.
ReplyHook = Callable[["Reply"], None]

#: Meta of a reply that its user-corrected version keeps.
KEPT_ON_EDIT = ("memory_sources", "memory_saved")

class Reply:
    """A streaming reply that stores itself when it ends."""

    def __init__(self, service: "ChatService", stream: ReplyStream, *, conversation_id: int,
                 user_message: Message | None, persona: Persona, model_id: str, adapter_id: str | None,
                 meta: dict[str, Any], version_of: int | None = None) -> None:
        self._service = service
        self.stream = stream
        self.conversation_id = conversation_id
        self.user_message = user_message
        self.persona = persona
        self.model_id = model_id
        self.adapter_id = adapter_id
        self.meta = meta
        self.version_of = version_of
        self.message: Message | None = None
        self.error: Exception | None = None

    @property
    def notices(self) -> list[str]:
        return self.stream.notices

    @property
    def text(self) -> str:
        return self.stream.text

    def cancel(self) -> None:
        self.stream.cancel()

    def __iter__(self) -> Iterator[str]:
        try:
            yield from self.stream
        except Exception as exc:
            self.error = exc
            raise
        finally:
            self._store()

    def run(self) -> str:
        """Consume the whole reply and return its text."""
        for _piece in self:
            pass
        return self.text

    def _store(self) -> None:
        if self.message is not None:
            return
        s = self.stream
        if not s.text.strip():
            return  # stopped before any text: nothing to keep
        meta = {
            **self.meta,
            "finish_reason": s.finish_reason or ("error" if self.error else None),
            "prompt_tokens": s.prompt_tokens,
            "completion_tokens": s.completion_tokens,
            "first_token_s": round(s.first_token_s, 3) if s.first_token_s is not None else None,
            "elapsed_s": round(s.elapsed_s, 3),
            "temperature": s.params.temperature,
        }
        if s.notices:
            meta["notices"] = list(s.notices)
        # Which backend answered (a fallback order may have skipped some); only the embedded engine uses adapters.
        backend = getattr(s, "backend", "embedded")
        meta.update(backend=backend, backend_model=getattr(s, "backend_model", None) or self.model_id,
                    backend_local=bool(getattr(s, "is_local", True)))
        if backend != "embedded":
            self.adapter_id = None
            if self.persona.memory_local_only and not meta["backend_local"]:
                meta.pop("memory_sources", None)  # the notes never reached that prompt
        fields = dict(persona_key=self.persona.key, model_id=self.model_id, adapter_id=self.adapter_id, meta=meta)
        store = self._service.store
        if self.version_of is not None:
            self.message = store.add_version(self.version_of, s.text, edited=False, **fields)
        else:
            self.message = store.add_message(self.conversation_id, "assistant", s.text, **fields)
        for hook in self._service.reply_hooks:
            try:
                hook(self)
            except Exception:  # remembering the exchange must never lose the reply
                log.exception("reply hook %r failed", hook)


class ChatService:
    """Conversations, replies and their versions over one database.

    Built bare (as tests do) it has no hooks and answers without adapters; the app, the CLI and the
    API get one with memory and adapters wired in from :func:`aeon_studio.core.services.build_chat_service`.

    Args:
        db: The database; the app's default database when None.
        prompt_hooks: Called in order on every prompt (see :data:`PromptHook`).
        reply_hooks: Called in order on every stored reply (see :data:`ReplyHook`).
        adapter_resolver: Finds a persona adapter's LoRA GGUF; without one, personas answer without adapters.
        domain_classifier: ``text -> (domain, why)``; with it (and a resolver), a persona with ``route_by_domain``
            answers each message with its adapter for the message's domain (:mod:`.routing`).
    """

    def __init__(self, db: Database | None = None, *, prompt_hooks: Iterable[PromptHook] = (),
                 reply_hooks: Iterable[ReplyHook] = (), adapter_resolver: AdapterResolver | None = None,
                 domain_classifier: Classifier | None = None) -> None:
        self.db = db or get_database()
        self.store = ChatStore(self.db)
        self.personas = PersonaStore(self.db)
        self.models = ModelRegistry(self.db)
        self.prompt_hooks: tuple[PromptHook, ...] = tuple(prompt_hooks)
        self.reply_hooks: tuple[ReplyHook, ...] = tuple(reply_hooks)
        self.adapter_resolver: AdapterResolver | None = adapter_resolver
        self.domain_classifier: Classifier | None = domain_classifier

    # -- conversations -------------------------------------------------------------
    def new_conversation(self, persona_key: str | None = None, model_id: str | None = None) -> Conversation:
        settings = get_settings()
        persona = self.personas.get(persona_key or settings.default_persona)
        model = self.models.get(model_id or settings.default_model)
        return self.store.create_conversation(persona.key, model.id)

    def history(self, conversation_id: int, *, before_message_id: int | None = None) -> list[dict]:
        """The kept turns as chat messages, in the order the conversation shows them.

        With ``before_message_id``, only the turns shown above that message (for a reply: above the
        place of its first version, so a later regeneration still sees only what came before it).
        """
        stop = None
        if before_message_id is not None:
            anchor = self.store.get_message(before_message_id)
            stop = anchor.group_id or anchor.id
        out = []
        for m in self.store.messages(conversation_id, active_only=True):
            if stop is not None and (m.group_id or m.id) >= stop:
                break
            if m.role in ("user", "assistant"):
                out.append({"role": m.role, "content": m.content})
        return out

    # -- engine ----------------------------------------------------------------------
    def engine_for(self, model_id: str, adapter_id: str | None = None, *, lora: Path | None = None,
                   swap: bool = False) -> ChatEngine:
        """The engine for ``model_id`` answering through ``adapter_id`` (or the LoRA GGUF ``lora``).

        With ``swap`` the base model's engine is reused and the adapter swapped in (domain routing: no reload).
        """
        info = self.models.get(model_id)
        path = self.models.resolve_path(model_id)
        if lora is None:
            lora = self.adapter_resolver(adapter_id) if adapter_id and self.adapter_resolver else None
        engine = get_engine(path, lora_path=None if swap else lora, chat_format=info.chat_format)
        # A routed persona swaps adapters on the shared engine: make sure it answers with the one asked for now.
        current = engine.lora_path.resolve() if engine.lora_path else None
        if current != (Path(lora).resolve() if lora else None):
            engine.set_lora(lora)
        return engine

    def routes(self, persona: Persona) -> bool:
        """Whether ``persona``'s messages are routed by domain (it asks for it and this service can)."""
        return bool(persona.route_by_domain and self.adapter_resolver and self.domain_classifier)

    def route_for(self, persona: Persona, user_text: str) -> Route | None:
        """The domain route of ``user_text`` when ``persona`` routes by domain (and this service can), else None."""
        if not (self.routes(persona) and user_text.strip()):
            return None
        return route(persona, user_text, classify=self.domain_classifier, resolve=self.adapter_resolver)

    def backend_for(self, persona: Persona, model_id: str, adapter_id: str | None = None) -> ChatBackend:
        """The backend ``persona`` answers through (its fallback order); the embedded engine loads on first use.

        Raises:
            ValidationError: a server address of the persona is neither on this computer nor https.
        """
        return backend_for(persona, engine=lambda: self.engine_for(model_id, adapter_id), model_id=model_id)

    @staticmethod
    def params_for(persona: Persona, seed: int | None = None) -> ChatParams:
        return ChatParams(temperature=persona.temperature, top_p=persona.top_p, max_tokens=persona.max_tokens,
                          seed=seed)

    def _prepare(self, conversation: Conversation, history: list[dict], user_text: str,
                 persona: Persona, model_id: str, seed: int | None) -> tuple[ReplyStream, dict, str | None]:
        adapter_id = persona.adapter_id if persona.adapter_id and self.adapter_resolver else None
        routed = self.route_for(persona, user_text)
        if routed is not None:
            adapter_id = routed.adapter_id
            backend = backend_for(persona, model_id=model_id, engine=lambda: self.engine_for(
                model_id, routed.adapter_id, lora=routed.lora_path, swap=True))
        else:
            backend = self.backend_for(persona, model_id, adapter_id)
        messages = ([{"role": "system", "content": persona.system_prompt}] if persona.system_prompt else []) + history
        plain = list(messages)  # before the hooks: what an online backend gets when memory stays local
        meta: dict[str, Any] = routed.meta() if routed is not None else {}
        for hook in self.prompt_hooks:
            try:
                extra = hook(messages, persona=persona, conversation_id=conversation.id, user_text=user_text)
            except Exception:  # a memory failure must never break the chat
                log.exception("prompt hook %r failed", hook)
                continue
            if extra:
                meta.update(extra)
        params = self.params_for(persona, seed)
        if persona.memory_local_only and not backend.is_local:
            stream = backend.stream(plain, params, local_messages=messages)
        else:
            stream = backend.stream(messages, params)
        if routed is not None and routed.notices:
            stream.notices.extend(routed.notices)
        return stream, meta, adapter_id

    def send(self, conversation_id: int, text: str, *, persona_key: str | None = None,
             model_id: str | None = None, seed: int | None = None) -> Reply:
        if not text or not text.strip():
            raise ValidationError(_("The message is empty; nothing was sent."))
        conv = self.store.get_conversation(conversation_id)
        persona = self.personas.get(persona_key or conv.persona_key)
        model_id = model_id or conv.model_id or get_settings().default_model
        if (persona.key, model_id) != (conv.persona_key, conv.model_id):
            conv = self.store.update_conversation(conv.id, persona_key=persona.key, model_id=model_id)
        # Load the model (or check the servers' addresses) before storing anything: a broken model file or a
        # refused URL must not leave a dangling question.
        backend = self.backend_for(persona, model_id)
        if backend.name == "embedded" and self.routes(persona):
            # Routed: only the base model here; the message's adapter is swapped in by _prepare.
            get_engine(self.models.resolve_path(model_id), chat_format=self.models.get(model_id).chat_format)
        elif backend.name == "embedded":
            self.engine_for(model_id, persona.adapter_id if self.adapter_resolver else None)
        user = self.store.add_message(conv.id, "user", text, persona_key=persona.key, model_id=model_id)
        stream, meta, adapter_id = self._prepare(conv, self.history(conv.id), text, persona, model_id, seed)
        return Reply(self, stream, conversation_id=conv.id, user_message=user, persona=persona,
                     model_id=model_id, adapter_id=adapter_id, meta=meta)

    def regenerate(self, reply_id: int, *, seed: int | None = None) -> Reply:
        """A new version of reply ``reply_id``; every earlier version is kept."""
        old = self.store.get_message(reply_id)
        if old.role != "assistant":
            raise ValidationError(_("Only assistant replies can be regenerated (message {id} is a {role} message).")
                                  .format(id=reply_id, role=old.role))
        conv = self.store.get_conversation(old.conversation_id)
        history = self.history(conv.id, before_message_id=reply_id)
        while history and history[-1]["role"] == "assistant":
            history.pop()
        persona = self.personas.get(conv.persona_key)
        user_text = history[-1]["content"] if history else ""
        stream, meta, adapter_id = self._prepare(conv, history, user_text, persona, conv.model_id, seed)
        return Reply(self, stream, conversation_id=conv.id, user_message=None, persona=persona,
                     model_id=conv.model_id, adapter_id=adapter_id, meta=meta, version_of=reply_id)

    def edit(self, reply_id: int, new_text: str) -> Message:
        """The user's correction of a reply, stored as a new version; the original is kept."""
        if not new_text.strip():
            raise ValidationError(_("The corrected reply is empty; nothing was changed."))
        orig = self.store.get_message(reply_id)
        # The correction answers the same question with the same memory: keep what the reply recalled
        # (its Sources, and the note the prompt puts back on that turn) and what the turn remembered.
        kept = {k: v for k, v in (orig.meta or {}).items() if k in KEPT_ON_EDIT}
        return self.store.add_version(reply_id, new_text, edited=True, meta={**kept, "edited": True})
