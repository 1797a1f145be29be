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
from ..records import Record, merge_turns
from ..toolcalls import check_tool_refs, normalize_tools
from .prefs import Parsed, is_pair, label_of, read_pair
from .turns import content_text, lower_keys as _lower_keys, parse_turns as _turns, role_of, text_of as _text

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
    if _turn_list(q) or _turn_list(a):  # TRL conversational prompt/completion: message lists
        return _conversational(q, a, system)
    (qt, qp), (at, ap) = content_text(q), content_text(a)
    if qp or ap:
        return None, _("the question/user text: {problem}").format(problem=qp) if qp else \
            _("the answer/assistant text: {problem}").format(problem=ap)
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


def _turn_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(t, dict) and ("role" in t or "from" in t) for t in v)


def _conversational(q: Any, a: Any, system: Any) -> tuple[list[dict[str, Any]] | None, str | None]:
    """``prompt``/``completion`` given as message lists (TRL's conversational form)."""
    keys = (("role", "from"), ("content", "value", "text"))
    prompt, problem = _turns(q, *keys, {}) if isinstance(q, list) else (
        [{"role": "user", "content": (_text(q) or "").strip()}], None)
    if problem is not None:
        return None, _("the prompt: {problem}").format(problem=problem)
    reply, problem = _turns(a, *keys, {}) if isinstance(a, list) else (
        [{"role": "assistant", "content": (_text(a) or "").strip()}], None)
    if problem is not None:
        return None, _("the completion: {problem}").format(problem=problem)
    st = _text(system)
    if st and st.strip() and not (prompt and prompt[0]["role"] == "system"):
        prompt = [{"role": "system", "content": st.strip()}] + prompt
    return merge_turns(prompt + reply), None


def read_object(obj: Any, speakers: dict[str, str], mapping: dict[str, str] | None = None, *,
                strict_label: bool = True) -> Parsed:
    """What one JSON object (or CSV row, with ``mapping`` and ``strict_label=False``) holds: a conversation
    with its KTO label and tool definitions, a preference pair (:mod:`.prefs`), a problem, or a single turn
    (``messages`` and ``problem`` both ``None``) to be grouped by the caller."""
    if not isinstance(obj, dict):
        return Parsed(problem=_("expected a JSON object, found {kind}").format(kind=type(obj).__name__))
    o = _lower_keys(obj)
    if not mapping and is_pair(o):
        return read_pair(o, speakers)
    label, problem = label_of(o, strict=strict_label) if "label" in o or "kto_tag" in o else (None, None)
    if problem is not None:
        return Parsed(problem=problem)
    msgs, problem = object_messages(obj, speakers, mapping, lowered=o)
    if msgs is None:
        return Parsed(problem=problem)
    tools, problem = normalize_tools(o["tools"]) if "tools" in o and not mapping else (None, None)
    if problem is None:
        problem = check_tool_refs(msgs, tools)
    if problem is not None:
        return Parsed(problem=problem)
    return Parsed(messages=msgs, label=label, tools=tools)


def object_messages(obj: Any, speakers: dict[str, str], mapping: dict[str, str] | None = None, *,
                    lowered: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]] | None, str | None]:
    """``(messages, None)`` for a whole-conversation object, ``(None, problem)`` for a bad one,
    ``(None, None)`` when it is a single turn (sender/message) to be grouped by the caller. Pairs, labels and
    tools are read by :func:`read_object`."""
    if not isinstance(obj, dict):
        return None, _("expected a JSON object, found {kind}").format(kind=type(obj).__name__)
    o = lowered if lowered is not None else _lower_keys(obj)
    if not mapping:
        conv = o.get("messages") if "messages" in o else o.get("conversations", o.get("conversation"))
        if "messages" in o or "conversations" in o or "conversation" in o and isinstance(conv, list):
            msgs, problem = _turns(conv, ("role", "from", "sender"), ("content", "value", "text"), speakers)
            if msgs is not None:
                # LLaMA-Factory keeps the system prompt beside the turns ("system" field)
                st = _text(next((o[k] for k in SYSTEM_KEYS if k in o), None))
                if st and st.strip() and not (msgs and msgs[0]["role"] == "system"):
                    msgs = [{"role": "system", "content": st.strip()}] + msgs
            return msgs, problem
    msgs, problem = _pair(o, mapping)
    if msgs is not None or problem is not None:
        return msgs, problem
    if any(k in o for k in SENDER_KEYS) and any(k in o for k in TEXT_KEYS):
        return None, None
    return None, _("unknown record shape (keys: {keys}); expected messages, conversations, "
                   "instruction/output, pergunta/resposta, question/answer, prompt/chosen/rejected or "
                   "sender/message").format(keys=", ".join(list(o)[:8]))


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
