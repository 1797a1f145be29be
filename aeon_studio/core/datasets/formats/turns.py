"""Turns of a JSON conversation: role names, content parts, tool calls and tool results.

Content may be a string or a list of parts (OpenAI ``{"type": "text", "text": …}``, LLaMA-Factory/others
``{"type": "text", "value": …}``); a part that is not text (an image, audio) makes the turn a problem that names
it, never an "empty" turn. Tool calls arrive as OpenAI ``tool_calls`` (or the older ``function_call``) on an
assistant turn and ``tool``/``function`` result turns, or as LLaMA-Factory ``function_call``/``observation``
turns; all become OpenAI's shape (see :mod:`..toolcalls`).
"""

from __future__ import annotations

from typing import Any

from ...i18n import _
from ..records import ROLE_SYNONYMS, merge_turns
from ..toolcalls import normalize_calls

#: Text part types: OpenAI chat (``text``) and responses API (``input_text``/``output_text``).
TEXT_PARTS = ("text", "input_text", "output_text")
#: Role names of a turn that calls tools (LLaMA-Factory) and of a turn that gives a tool's result.
CALL_ROLES = frozenset(("function_call", "tool_call", "tool_calls"))
RESULT_ROLES = frozenset(("observation", "tool", "function", "tool_response"))
_SPECIAL = CALL_ROLES | RESULT_ROLES


def lower_keys(obj: dict[str, Any]) -> dict[str, Any]:
    """The object with its keys stripped and lower-cased (fields are matched case-insensitively)."""
    return {str(k).strip().lower(): v for k, v in obj.items()}


def content_text(v: Any) -> tuple[str | None, str | None]:
    """``(text, None)`` for a string, a number or a list of text parts (joined by newlines); ``(None, problem)``
    for parts that are not text or text parts without text; ``(None, None)`` when there is no text at all."""
    if v is None:
        return None, None
    if isinstance(v, str):
        return v, None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v), None
    if isinstance(v, dict) and ("text" in v or "value" in v):  # a single part
        v = [v]
    if not isinstance(v, list) or not all(isinstance(p, dict) for p in v):
        return None, None
    texts, others = [], []
    for p in v:
        kind = p.get("type", "text")
        if kind not in TEXT_PARTS:
            others.append(str(kind))
            continue
        t = p.get("text", p.get("value"))
        if isinstance(t, dict):  # Assistants API: {"type": "text", "text": {"value": …}}
            t = t.get("value")
        if not isinstance(t, str):
            return None, _("a text part has neither 'text' nor 'value'")
        texts.append(t)
    if others:
        return None, _("the content has parts that are not text ({kinds}); only text can be imported").format(
            kinds=", ".join(sorted(set(others))))
    return ("\n".join(texts), None) if texts else (None, _("the content is an empty list of parts"))


def text_of(v: Any) -> str | None:
    """The text of a field (see :func:`content_text`), ``None`` when it has none."""
    return content_text(v)[0]


def role_of(name: Any, speakers: dict[str, str]) -> str | None:
    """The role for a sender/role name: the user's mapping first, then the usual synonyms."""
    if not isinstance(name, str):
        return None
    key = _key(name)
    for k, v in speakers.items():
        if k.casefold() == key:
            return v
    return ROLE_SYNONYMS.get(key)


def _key(name: str) -> str:
    return name.strip().rstrip(":").strip().casefold()


def parse_turns(items: Any, role_key: tuple[str, ...], text_key: tuple[str, ...],
                speakers: dict[str, str]) -> tuple[list[dict[str, Any]] | None, str | None]:
    """``(messages, None)`` or ``(None, problem)`` for a list of turn objects; consecutive plain turns of one
    role are merged (:func:`..records.merge_turns`)."""
    if not isinstance(items, list):
        return None, _("'messages'/'conversations' is not a list")
    out: list[dict[str, Any]] = []
    n_calls = 0
    pending: list[str] = []  # ids of calls whose result has not come yet (LLaMA-Factory gives none)
    # the hot path of a JSON import: names normalised once, the speaker mapping folded once
    spk = {k.casefold(): v for k, v in speakers.items()}
    for i, t in enumerate(items, 1):
        if type(t) is not dict:
            return None, _("turn {n} is not an object").format(n=i)
        t = lower_keys(t)
        who = next((t[k] for k in role_key if k in t), None)
        key = _key(who) if type(who) is str else None
        raw = next((t[k] for k in text_key if k in t), None)
        role = None
        if key is not None and key not in _SPECIAL:
            role = spk.get(key) or ROLE_SYNONYMS.get(key)
        calls_raw = None
        if key in CALL_ROLES:
            calls_raw = raw
        elif role == "assistant" and ("tool_calls" in t or "function_call" in t):
            calls_raw = t.get("tool_calls") or t.get("function_call")
        if calls_raw:
            calls, problem = normalize_calls(calls_raw, n_calls + 1)
            if problem is not None:
                return None, _("turn {n}: {problem}").format(n=i, problem=problem)
            n_calls += len(calls)
            pending = [c["id"] for c in calls]
            text = text_of(raw) if key not in CALL_ROLES else None
            out.append({"role": "assistant", "content": (text or "").strip(), "tool_calls": calls})
            continue
        text, problem = (raw, None) if type(raw) is str else content_text(raw)
        if problem is not None:
            return None, _("turn {n}: {problem}").format(n=i, problem=problem)
        if key in RESULT_ROLES:
            if text is None:
                return None, _("turn {n} (a tool's result) has no text").format(n=i)
            turn = {"role": "tool", "content": text.strip()}
            cid = t.get("tool_call_id")
            cid = cid if isinstance(cid, str) and cid else (pending[0] if pending else None)
            if cid in pending:
                pending.remove(cid)
            if cid:
                turn["tool_call_id"] = cid
            out.append(turn)
            continue
        if role is None:
            return None, _("turn {n}: unknown role {who!r}").format(n=i, who=who)
        if text is None:
            return None, _("turn {n} has no text").format(n=i)
        turn = {"role": role, "content": text.strip()}
        if "weight" in t:  # OpenAI fine-tuning: weight 0 = context only, never a training target
            w = t["weight"]
            if isinstance(w, bool) or not isinstance(w, (int, float)) or w not in (0, 1):
                return None, _("turn {n}: 'weight' must be 0 or 1, not {w!r}").format(n=i, w=w)
            if w == 0:
                if role != "assistant":
                    return None, _("turn {n}: only assistant turns can have 'weight': 0").format(n=i)
                turn["weight"] = 0
        out.append(turn)
    return merge_turns(out), None
