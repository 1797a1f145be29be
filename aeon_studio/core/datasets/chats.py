"""From chats: well-rated replies become examples; edits, picked regenerations and rating gaps become DPO pairs."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlmodel import select

from ..i18n import _
from ..memory.notes import mentions_notes, strip_notes
from .errors import DatasetError

_SINCE = re.compile(r"^\s*(\d+)\s*([hdwm])\s*$", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1), "m": timedelta(days=30)}


def parse_since(value: Any, now: datetime | None = None) -> datetime | None:
    """``None``, a ``timedelta``, an aware/naive ``datetime``, ``"30d"``/``"12h"``/``"2w"``/``"3m"`` or an ISO date."""
    if value is None or value == "":
        return None
    now = now or datetime.now(timezone.utc)
    if isinstance(value, timedelta):
        return now - value
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    text = str(value)
    m = _SINCE.match(text)
    if m:
        return now - int(m.group(1)) * _UNITS[m.group(2).lower()]
    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DatasetError(_("'{value}' is not a period or a date.").format(value=text),
                           hint=_("Use e.g. 7d, 30d, 12h, 2w or a date like 2026-01-31.")) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


@dataclass
class ChatsExtract:
    examples: list[dict[str, Any]] = field(default_factory=list)  # {"messages", "rating", "edited", "source_ref"}
    pairs: list[dict[str, Any]] = field(default_factory=list)  # {"prompt", "chosen", "rejected", "reason", ...}
    replies_seen: int = 0
    skipped_low: int = 0
    skipped_injected: int = 0


def _turn(role: str, content: str) -> dict[str, Any]:
    """A chat turn as training data sees it: a user turn never carries a memory note (the chat only puts notes
    into the prompt, but an older database may hold them)."""
    return {"role": role, "content": strip_notes(content) if role == "user" else content}


def context_before(slots: list[tuple[int, dict, bool]], first: int) -> list[dict[str, Any]]:
    """The turns before slot id ``first``: earlier replies are context only (``"weight": 0``); an earlier reply
    rated 2 or less (``bad``) is never shown as a good answer, so the conversation is cut after it (the system turn
    stays)."""
    prompt: list[dict[str, Any]] = []
    for key, turn, bad in slots:
        if key >= first:
            break
        if bad:
            prompt = [t for t in prompt if t["role"] == "system"]
        elif turn["role"] == "assistant":
            prompt.append({**turn, "weight": 0})
        else:
            prompt.append(turn)
    return prompt


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def extract_from_chats(db, *, min_likert: int = 4, since: Any = None, persona: str | None = None) -> ChatsExtract:
    """Read the chat tables (no writes) and return the examples and preference pairs."""
    from ..storage.tables import Conversation, Message, Rating

    if not 1 <= int(min_likert) <= 5:
        raise DatasetError(_("--min-likert must be between 1 and 5, not {n}.").format(n=min_likert))
    cutoff = parse_since(since)
    with db.session() as s:
        convs = {c.id: c for c in s.exec(select(Conversation)).all()}
        msgs = list(s.exec(select(Message).order_by(Message.conversation_id, Message.id)).all())
        ratings = {r.message_id: r.likert for r in s.exec(select(Rating)).all()}

    out = ChatsExtract()
    by_conv: dict[int, list] = defaultdict(list)
    for m in msgs:
        by_conv[m.conversation_id].append(m)
    # prompt text -> [(likert, reply content, prompt messages, ref)] across conversations, for rating-gap pairs
    rated_by_prompt: dict[str, list[tuple[int, str, list[dict], str]]] = defaultdict(list)

    def wanted(m) -> bool:
        conv = convs.get(m.conversation_id)
        key = m.persona_key or (conv.persona_key if conv else None)
        if persona and key != persona:
            return False
        return cutoff is None or _aware(m.created_at) >= cutoff

    for conv_id, items in by_conv.items():
        groups: dict[int, list] = defaultdict(list)
        for m in items:
            if m.role == "assistant":
                groups[m.group_id or m.id].append(m)
        # the conversation as the user kept it: one slot per user/system turn and per reply group
        slots: list[tuple[int, dict, bool]] = [(m.id, _turn(m.role, m.content), False) for m in items
                                               if m.role in ("system", "user") and m.active]
        for vs in groups.values():
            kept = next((v for v in vs if v.active), vs[-1])
            bad = kept.edited_from_id is None and (ratings.get(kept.id) or 3) <= 2
            slots.append((min(v.id for v in vs), _turn("assistant", kept.content), bad))
        slots.sort(key=lambda t: t[0])
        for versions in groups.values():
            first = min(v.id for v in versions)
            prompt = context_before(slots, first)
            if not prompt or prompt[-1]["role"] != "user" or not prompt[-1]["content"].strip():
                continue
            versions = [v for v in versions if v.content.strip()]
            if not versions:
                continue
            out.replies_seen += len(versions)
            by_id = {v.id: v for v in versions}
            active = next((v for v in versions if v.active), None)
            for v in versions:
                if not wanted(v):
                    continue
                likert = ratings.get(v.id)
                edited = v.edited_from_id is not None
                ref = f"conversation:{conv_id}#message:{v.id}"
                if likert is not None:
                    rated_by_prompt[_norm(prompt[-1]["content"])].append((likert, v.content, prompt, ref))
                earned = (likert is not None and likert >= min_likert) or (edited and v.active and likert is None)
                if earned and not edited and mentions_notes(v.content):
                    out.skipped_injected += 1  # the model copied its memory note: injected text, not earned
                elif earned:
                    out.examples.append({"messages": prompt + [{"role": "assistant", "content": v.content}],
                                         "rating": likert, "edited": edited, "source_ref": ref,
                                         "created_at": _aware(v.created_at)})
                elif likert is not None:
                    out.skipped_low += 1
                # an edit: the correction is preferred to the text it corrects
                orig = by_id.get(v.edited_from_id) if edited else None
                if orig is not None and v.active and orig.content.strip() != v.content.strip() \
                        and (likert is None or likert >= min_likert):
                    out.pairs.append({"prompt": prompt, "chosen": v.content, "rejected": orig.content,
                                      "reason": "edit", "source_ref": ref})
            # the user kept one version of a regenerated reply: it beats the others unless a rating says otherwise
            if active is not None and len(versions) > 1 and wanted(active):
                a_rating = ratings.get(active.id)
                if a_rating is None or a_rating >= min_likert:
                    for other in versions:
                        if other is active or other.id == active.edited_from_id:
                            continue
                        o_rating = ratings.get(other.id)
                        if o_rating is not None and a_rating is not None and o_rating >= a_rating:
                            continue
                        if other.content.strip() == active.content.strip():
                            continue
                        out.pairs.append({"prompt": prompt, "chosen": active.content, "rejected": other.content,
                                          "reason": "picked",
                                          "source_ref": f"conversation:{conv_id}#message:{active.id}"})

    # higher- vs lower-rated replies to the same prompt (within a regeneration group or across conversations)
    for entries in rated_by_prompt.values():
        best = max(entries, key=lambda e: e[0])
        if best[0] < min_likert:
            continue
        for likert, content, _prompt, _ref in entries:
            if likert < best[0] and content.strip() != best[1].strip():
                out.pairs.append({"prompt": best[2], "chosen": best[1], "rejected": content,
                                  "reason": "rating", "source_ref": best[3]})
    return out
