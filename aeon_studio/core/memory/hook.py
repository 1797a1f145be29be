"""Memory in the chat: the prompt hook (recall + "remember that …") and the reply hook (past exchanges).

Recalled text is prepended to the newest user message, not put at the top of the prompt, so the
system prompt and the earlier turns — the prefix llama.cpp keeps evaluated from the previous turn —
stay byte-identical. For the same reason a note recalled for an earlier turn is put back on that
turn (rebuilt from the reply's stored ``memory_sources``) instead of vanishing: only a forgotten item
changes an earlier turn. Nothing the conversation already shows is recalled (see :mod:`.recall`), nor
anything recalled earlier in it; a remembered exchange is recalled only as the reply version the user
kept (a correction, not the original) and only while that reply is not rated low.

:mod:`aeon_studio.core.services` passes both hooks to the chat service; this module never imports the chat.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from ..i18n import _
from .facts import extract_fact, extract_statements
from .notes import EXCHANGE_MARK, NOTE_HEADER, mentions_notes  # noqa: F401 - NOTE_HEADER: this module's API
from .recall import already_shown, exchange_text, on_screen, remember_kept, screen, stale_exchanges

log = logging.getLogger(__name__)

#: Past exchanges are embedded and stored on this thread, so the chat's worker (and the Send button)
#: is free as soon as the reply is stored; the first one loads the embedding model, which takes seconds.
_writer: ThreadPoolExecutor | None = None
_pending: set[Future] = set()
_pending_lock = threading.Lock()


#: Characters of one recalled item in a note at most. A note stays in the prompt for the rest of the conversation
#: (see the module docstring), so every token of it is paid again by each later reply (bench/memory.py): one
#: long passage or past exchange must not take the whole budget turn after turn.
NOTE_ITEM_CHARS = 240


def estimate_tokens(text: str) -> int:
    """Cheap token estimate (~4 characters per token for Latin scripts)."""
    return len(text) // 4 + 1


def _line(source: dict[str, Any]) -> str:
    text = " ".join(str(source.get("text", "")).split())
    kind = source.get("kind")
    if kind == "passage":
        return f"- ({source.get('source', 'document')}) {text}"
    if kind == "exchange":
        return f"- {EXCHANGE_MARK} {text}"
    return f"- {text}"


def format_note(sources: list[dict[str, Any]]) -> str:
    return "\n".join([NOTE_HEADER] + [_line(s) for s in sources])


def with_note(user_content: str, sources: list[dict[str, Any]]) -> str:
    return f"{format_note(sources)}\n\n{user_content}" if sources else user_content


def match_fields(hit: Any) -> dict[str, Any]:
    """How a hit was found, for a reply's stored sources: ``match`` ("dense", "lexical", "both"), the shared
    ``words``, the ``lexical`` (BM25) and ``fused`` scores (``score`` stays the cosine similarity)."""
    out: dict[str, Any] = {"match": getattr(hit, "match", "dense")}
    for key in ("lexical", "fused"):
        value = getattr(hit, key, None)
        if value is not None:
            out[key] = round(float(value), 4)
    if getattr(hit, "words", None):
        out["words"] = list(hit.words)
    return out


def _shortened(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + "…"


def pack(hits: list, budget: int) -> list[dict[str, Any]]:
    """Sources for the best hits that fit ``budget`` estimated tokens, each at most :data:`NOTE_ITEM_CHARS`
    characters (the first is trimmed to fit)."""
    out: list[dict[str, Any]] = []
    used = estimate_tokens(NOTE_HEADER)
    for hit in hits:
        text = _shortened(hit.item.text, NOTE_ITEM_CHARS)
        cost = estimate_tokens(text) + 4
        if used + cost > budget:
            if out:
                break
            room = (budget - used - 4) * 4
            if room < 40:
                break
            text = _shortened(text, room)
            cost = estimate_tokens(text) + 4
        out.append({"id": hit.item.id, "text": text, "source": hit.item.source, "kind": hit.item.kind,
                    "score": round(float(hit.score), 3), **match_fields(hit)})
        used += cost
    return out


def _conversation_turns(conversation_id: int) -> list:
    from ..storage import get_database
    from ..storage.chats import ChatStore

    return [m for m in ChatStore(get_database()).messages(conversation_id, active_only=True)
            if m.role in ("user", "assistant")]


def _reapply_notes(messages: list[dict], turns: list, store) -> set[int]:
    """Put earlier turns' notes back (minus forgotten items); returns the ids now in context."""
    start = 1 if messages and messages[0].get("role") == "system" else 0
    hist = messages[start:]
    pending: list[tuple[int, list[dict]]] = []  # (index in messages, sources)
    for i in range(1, min(len(hist) - 1, len(turns))):  # never the newest user turn
        m, prev = turns[i], turns[i - 1]
        sources = (m.meta or {}).get("memory_sources") if m.role == "assistant" else None
        if sources and prev.role == "user" and hist[i - 1].get("content") == prev.content:
            pending.append((start + i - 1, sources))
    if not pending:
        return set()
    alive = store.exists(s.get("id") for _i, srcs in pending for s in srcs)
    for idx, srcs in pending:
        kept = [s for s in srcs if s.get("id") in alive]
        messages[idx] = {**messages[idx], "content": with_note(messages[idx]["content"], kept)}
    return alive


def memory_prompt_hook(messages: list[dict], *, persona, conversation_id: int, user_text: str,
                       **_ignored: Any) -> dict[str, Any] | None:
    """Chat prompt hook: remember stated facts, recall memories, put them next to the newest user turn."""
    if not getattr(persona, "memory_enabled", True) or not messages or messages[-1].get("role") != "user":
        return None
    from .store import get_memory

    store = get_memory()
    settings = store.settings
    turns = _conversation_turns(conversation_id)
    meta: dict[str, Any] = {}
    in_context = _reapply_notes(messages, turns, store)

    fact = extract_fact(user_text)
    last_user = next((m for m in reversed(turns) if m.role == "user"), None)
    if fact and last_user is not None:
        ref = f"conversation:{conversation_id}/message:{last_user.id}"
        existing = store.list(kind="fact", source_ref=ref, limit=1)
        item = existing[0] if existing else store.add(
            fact, kind="fact", source=_("you said, conversation {id}").format(id=conversation_id),
            source_ref=ref, persona_key=persona.key)
        meta["memory_saved"] = [{"id": item.id, "text": item.text}]

    corrected = [m for m in turns if m.role == "assistant" and m.edited_from_id is not None]
    if corrected:  # the user corrected replies of this chat: memory keeps the corrections, not the originals
        _submit(_keep_versions, store, corrected)
    shown = on_screen(turns)
    hits = store.search(user_text, k=settings.memory_top_k + 8, threshold=settings.memory_threshold,
                        exclude_ids=in_context, mode="hybrid")
    hits = [h for h in hits if not already_shown(h.item, conversation_id, shown)]
    hits = screen(hits, store, store.db, exclude_ids=in_context)  # kept versions only, none rated low
    hits = [h for h in hits if not already_shown(h.item, conversation_id, shown)][: settings.memory_top_k]
    sources = pack(hits, settings.memory_token_budget)
    if sources:
        messages[-1] = {**messages[-1], "content": with_note(messages[-1]["content"], sources)}
        meta["memory_sources"] = sources
    return meta or None


def _trivial(user: str, reply: str) -> bool:
    return len(user.split()) < 4 or len(reply.split()) < 3


def memory_reply_hook(reply) -> None:
    """Chat reply hook: remember what the user said about themselves and a finished, non-trivial exchange; a
    regenerated reply takes the place of the exchange remembered for an earlier version. The writes happen on a
    background thread."""
    if reply.message is None or not getattr(reply.persona, "memory_enabled", True) or reply.error is not None:
        return
    if reply.stream.finish_reason == "stopped":
        return  # a stopped reply is partial
    if reply.version_of is not None:
        from .store import get_memory

        _submit(_keep_versions, get_memory(), [reply.message])
        return
    if reply.user_message is None or reply.meta.get("memory_saved"):
        return  # a "remember that" turn is already stored as a fact
    user, answer = reply.user_message.content.strip(), reply.message.content.strip()
    from .store import get_memory

    cid, mid = reply.conversation_id, reply.message.id
    store = get_memory()
    for statement in extract_statements(user):  # "my name is …", "moro em …": facts without being asked
        _submit(_add_statement, store, statement, cid, reply.user_message.id, reply.persona.key)
    if _trivial(user, answer) or mentions_notes(answer):
        return  # a reply that copies its memory note would feed the note's wording back into every prompt
    # The store is taken now: the write lands in this home even if the settings change meanwhile.
    _submit(store.add, exchange_text(user, answer), kind="exchange",
            source=_("conversation {id}").format(id=cid), source_ref=f"conversation:{cid}/message:{mid}",
            persona_key=reply.persona.key)


def _keep_versions(store, kept: list) -> None:
    """Remember the exchanges of the reply versions in ``kept`` in place of those of their other versions."""
    for message, stale in stale_exchanges(store, store.db, kept):
        remember_kept(store, store.db, message, stale=stale)


def _add_statement(store, text: str, conversation_id: int, message_id: int, persona_key: str | None) -> None:
    ref = f"conversation:{conversation_id}/message:{message_id}"
    if any(item.text == text for item in store.list(kind="fact", source_ref=ref, limit=10)):
        return
    store.add(text, kind="fact", source=_("you mentioned it, conversation {id}").format(id=conversation_id),
              source_ref=ref, persona_key=persona_key)


def _submit(fn, *args: Any, **kwargs: Any) -> None:
    global _writer
    with _pending_lock:
        if _writer is None:
            _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aeon-memory")
        future = _writer.submit(fn, *args, **kwargs)
        _pending.add(future)
    future.add_done_callback(_done)


def _done(future: Future) -> None:
    with _pending_lock:
        _pending.discard(future)
    exc = future.exception()
    if exc is not None:  # remembering an exchange must never disturb the chat; the log keeps why
        log.error("could not remember an exchange: %s", exc, exc_info=exc)


def flush_pending(timeout: float | None = 120.0) -> bool:
    """Wait until every exchange handed to the background writer is stored; False on timeout."""
    with _pending_lock:
        pending = list(_pending)
    done, not_done = wait(pending, timeout=timeout)
    return not not_done
