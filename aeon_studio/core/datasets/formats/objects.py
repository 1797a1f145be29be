"""JSON objects and CSV rows → conversations.

Shapes understood (keys are matched case-insensitively):
- OpenAI ``{"messages": [{"role", "content"}, …]}`` (roles may be ``human``/``gpt``… too);
- ShareGPT ``{"conversations": [{"from", "value"}, …]}``;
- Alpaca ``{"instruction", "input", "output"}`` (+ optional ``system``), the input appended to the instruction;
- question/answer pairs: ``pergunta/resposta``, ``question/answer``, ``prompt/response|completion``,
  ``user/assistant``, ``input/output``, ``query/response``, ``instruction/output``;
- ``{"sender", "message"}`` turns (also ``speaker/text``, ``author/content``, ``from/text``…): one turn per object,
  grouped into conversations by :class:`TurnGrouper` (a conversation id field, or a time gap).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ...i18n import _
from ..records import ROLE_SYNONYMS, Record, merge_turns

PAIR_KEYS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("pergunta", "questao", "questão"), ("resposta",)),
    (("question", "q"), ("answer", "a")),
    (("instruction",), ("output", "response", "answer")),
    (("prompt",), ("response", "completion", "answer", "output", "chosen")),
    (("user", "usuario", "usuário", "human"), ("assistant", "assistente", "bot", "gpt")),
    (("query",), ("response", "answer")),
    (("input",), ("output", "response")),
    (("entrada",), ("saida", "saída")),
]
SYSTEM_KEYS = ("system", "sistema", "system_prompt")
INPUT_KEYS = ("input", "context", "contexto", "entrada")
SENDER_KEYS = ("sender", "speaker", "author", "from", "role", "remetente", "autor", "name", "user_name")
TEXT_KEYS = ("message", "text", "content", "value", "mensagem", "texto", "body")
CONV_KEYS = ("conversation_id", "conversation", "chat_id", "thread_id", "thread", "session", "session_id",
             "conversa", "dialog_id")
TIME_KEYS = ("timestamp", "time", "date", "datetime", "created_at", "data", "hora", "ts")


def _lower_keys(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower(): v for k, v in obj.items()}


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, list) and all(isinstance(p, dict) for p in v):  # OpenAI content parts
        parts = [str(p.get("text", "")) for p in v if p.get("type", "text") == "text"]
        return "\n".join(parts) if parts else None
    return None


def role_of(name: Any, speakers: dict[str, str]) -> str | None:
    """The role for a sender/role name: the user's mapping first, then the usual synonyms."""
    if not isinstance(name, str):
        return None
    key = name.strip().rstrip(":").strip().casefold()
    for k, v in speakers.items():
        if k.casefold() == key:
            return v
    return ROLE_SYNONYMS.get(key)


def _turns(items: Any, role_key: tuple[str, ...], text_key: tuple[str, ...],
           speakers: dict[str, str]) -> tuple[list[dict[str, Any]] | None, str | None]:
    if not isinstance(items, list):
        return None, _("'messages'/'conversations' is not a list")
    out = []
    for i, t in enumerate(items, 1):
        if not isinstance(t, dict):
            return None, _("turn {n} is not an object").format(n=i)
        t = _lower_keys(t)
        who = next((t[k] for k in role_key if k in t), None)
        role = role_of(who, speakers)
        if role is None:
            return None, _("turn {n}: unknown role {who!r}").format(n=i, who=who)
        text = next((_text(t[k]) for k in text_key if k in t), None)
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


def _pair(o: dict[str, Any], mapping: dict[str, str] | None) -> tuple[list[dict[str, Any]] | None, str | None]:
    """(messages, problem) for question/answer-like rows; ``(None, None)`` when the keys do not fit."""
    if mapping:
        q = o.get(mapping.get("user", "").lower())
        a = o.get(mapping.get("assistant", "").lower())
        system = o.get(mapping.get("system", "").lower()) if mapping.get("system") else None
        extra = o.get(mapping.get("input", "").lower()) if mapping.get("input") else None
    else:
        q = a = system = extra = None
        for qk, ak in PAIR_KEYS:
            kq = next((k for k in qk if k in o), None)
            ka = next((k for k in ak if k in o), None)
            if kq and ka:
                q, a = o[kq], o[ka]
                if kq == "instruction":
                    extra = next((o[k] for k in INPUT_KEYS if k in o), None)
                break
        else:
            return None, None
        system = next((o[k] for k in SYSTEM_KEYS if k in o), None)
    qt, at = _text(q), _text(a)
    if qt is None or not qt.strip():
        return None, _("the question/user text is empty")
    if at is None or not at.strip():
        return None, _("the answer/assistant text is empty")
    et = _text(extra)
    user = qt.strip() + (("\n\n" + et.strip()) if et and et.strip() else "")
    msgs = [{"role": "user", "content": user}, {"role": "assistant", "content": at.strip()}]
    st = _text(system)
    if st and st.strip():
        msgs.insert(0, {"role": "system", "content": st.strip()})
    return msgs, None


def object_messages(obj: Any, speakers: dict[str, str],
                    mapping: dict[str, str] | None = None) -> tuple[list[dict[str, Any]] | None, str | None]:
    """``(messages, None)`` for a whole-conversation object, ``(None, problem)`` for a bad one,
    ``(None, None)`` when it is a single turn (sender/message) to be grouped by the caller."""
    if not isinstance(obj, dict):
        return None, _("expected a JSON object, found {kind}").format(kind=type(obj).__name__)
    o = _lower_keys(obj)
    if not mapping:
        if "messages" in o:
            return _turns(o["messages"], ("role", "from", "sender"), ("content", "value", "text"), speakers)
        if "conversations" in o or "conversation" in o and isinstance(o["conversation"], list):
            return _turns(o.get("conversations", o.get("conversation")), ("from", "role", "sender"),
                          ("value", "content", "text"), speakers)
    msgs, problem = _pair(o, mapping)
    if msgs is not None or problem is not None:
        return msgs, problem
    if any(k in o for k in SENDER_KEYS) and any(k in o for k in TEXT_KEYS):
        return None, None
    return None, _("unknown record shape (keys: {keys}); expected messages, conversations, "
                   "instruction/output, pergunta/resposta, question/answer or sender/message").format(
        keys=", ".join(list(o)[:8]))


def _when(v: Any) -> float | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v) / (1000.0 if v > 1e11 else 1.0)
    if isinstance(v, str) and v.strip():
        from .logs import timestamp_minutes

        try:
            return datetime.fromisoformat(v.strip().replace("Z", "+00:00")).timestamp()
        except ValueError:
            m = timestamp_minutes(v)
            return m * 60.0 if m is not None and m >= 0 else None
    return None


class TurnGrouper:
    """Groups ``{"sender", "message"}`` objects into conversations: a new one starts when the conversation id
    field changes, when timestamps are more than ``gap_minutes`` apart, or after ``max_turns`` turns."""

    def __init__(self, speakers: dict[str, str], *, gap_minutes: float | None = 30, max_turns: int = 200) -> None:
        self.speakers = speakers
        self.gap = (gap_minutes or 0) * 60
        self.max_turns = max_turns
        self.turns: list[dict[str, Any]] = []
        self.ref, self.line = "", 0
        self.conv: Any = None
        self.last: float | None = None
        self.n = 0

    def add(self, obj: dict[str, Any], ref: str, line: int) -> Iterator[Record]:
        o = _lower_keys(obj)
        who = next((o[k] for k in SENDER_KEYS if k in o), None)
        text = next((_text(o[k]) for k in TEXT_KEYS if k in o), None)
        role = role_of(who, self.speakers)
        if role is None:
            yield Record([], ref, _("unknown speaker {who!r}; map it, e.g. --speakers '{example}=user'").format(
                who=who, example=who if isinstance(who, str) else "Name"), line=line, extra={"object": obj})
            return
        if text is None:
            yield Record([], ref, _("the message has no text"), line=line, extra={"object": obj})
            return
        conv = next((o[k] for k in CONV_KEYS if k in o), None)
        when = next((_when(o[k]) for k in TIME_KEYS if k in o), None)
        new = (conv != self.conv or (self.gap and when is not None and self.last is not None
                                     and when - self.last > self.gap)
               or (len(self.turns) >= self.max_turns and role == "user"))
        if new:
            yield from self.finish()
        if not self.turns:
            self.ref, self.line = ref, line
        self.conv = conv
        if when is not None:
            self.last = when
        self.turns.append({"role": role, "content": text.strip()})

    def finish(self) -> Iterator[Record]:
        if self.turns:
            yield Record(merge_turns(self.turns), self.ref, line=self.line)
        self.turns = []
