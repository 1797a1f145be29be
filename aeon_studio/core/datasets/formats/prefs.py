"""Preference pairs and KTO labels in JSON records and CSV rows.

Pairs (one prompt, a chosen and a rejected reply) in the shapes public datasets use:

- LLaMA-Factory ShareGPT: ``{"conversations": [...], "chosen": {"from": "gpt", "value"}, "rejected": {...}}``
  (also ``messages``), and its Alpaca form ``{"instruction", "input", "chosen", "rejected"}``;
- TRL: ``{"prompt", "chosen", "rejected"}`` with strings or message lists, and the implicit-prompt form
  ``{"chosen": [...], "rejected": [...]}`` (two whole conversations sharing a prefix; Anthropic HH-style
  ``"\\n\\nHuman: … \\n\\nAssistant: …"`` transcripts too);
- OpenAI: ``{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}``.

KTO labels: ``"label": true|false`` (TRL) or ``"kto_tag"`` (LLaMA-Factory) on any conversation; ``False`` marks
an undesirable reply, which is kept with its label and never becomes a supervised (SFT) target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...i18n import _, ngettext
from ..toolcalls import has_tool_turns
from .turns import content_text, parse_turns, text_of

LABEL_KEYS = ("label", "kto_tag")
_TRUE, _FALSE = ("true", "1", "yes", "desirable"), ("false", "0", "no", "undesirable")
#: Keys that hold the prompt of a pair given as text.
PROMPT_KEYS = ("prompt", "question", "instruction", "query", "pergunta", "input")
SYSTEM_KEYS = ("system", "sistema", "system_prompt")
_HH = re.compile(r"(?:^|\n\n)(Human|Assistant|H|A):[ \t]?")
_TURN_ROLES = ("role", "from", "sender")
_TURN_TEXTS = ("content", "value", "text")


@dataclass
class Parsed:
    """What one JSON object or CSV row holds: ``messages`` (the chosen reply last for a pair) or a ``problem``;
    both ``None`` for a single turn that the caller groups into conversations."""

    messages: list[dict[str, Any]] | None = None
    problem: str | None = None
    rejected: str | None = None
    label: bool | None = None
    tools: list[dict[str, Any]] | None = field(default=None)


def label_of(o: dict[str, Any], *, strict: bool = True) -> tuple[bool | None, str | None]:
    """``(label, None)`` from ``label``/``kto_tag`` (booleans, 0/1, ``"true"``/``"false"``); ``(None, None)``
    without one. A value that is not a boolean is a problem when ``strict`` (JSON), and no label for a CSV row
    (where a ``label`` column is usually a category)."""
    for k in LABEL_KEYS:
        if k not in o or o[k] is None:
            continue
        v = o[k]
        if isinstance(v, bool):
            return v, None
        if isinstance(v, (int, float)) and v in (0, 1):
            return bool(v), None
        if isinstance(v, str) and v.strip().casefold() in _TRUE + _FALSE:
            return v.strip().casefold() in _TRUE, None
        if strict or k == "kto_tag":
            return None, _("'{key}' must be true or false (a KTO label: is the reply desirable?), not {value!r}; "
                           "rename the field if it means something else").format(key=k, value=v)
    return None, None


def is_pair(o: dict[str, Any]) -> bool:
    """Whether the object is shaped like a preference pair (keys already lower-cased)."""
    return ("chosen" in o and "rejected" in o) or "preferred_output" in o or "non_preferred_output" in o


def _turns(v: Any, speakers: dict[str, str]) -> tuple[list[dict[str, Any]] | None, str | None]:
    return parse_turns(v, _TURN_ROLES, _TURN_TEXTS, speakers)


def _is_turn(v: Any) -> bool:
    return isinstance(v, dict) and bool({"role", "from", "sender"} & {str(k).lower() for k in v})


def _reply(v: Any, what: str, speakers: dict[str, str]) -> tuple[str | None, str | None]:
    """``(text, None)`` of the one assistant reply of ``chosen``/``rejected`` (a string, a turn or a list of
    turns), or ``(None, problem)``."""
    if _is_turn(v):
        v = [v]
    if isinstance(v, list) and v and all(_is_turn(t) for t in v):
        turns, problem = _turns(v, speakers)
        if problem is not None:
            return None, _("'{what}': {problem}").format(what=what, problem=problem)
        if len(turns) != 1 or turns[0]["role"] != "assistant" or turns[0].get("tool_calls"):
            return None, ngettext("'{what}' has {n} turn that is not an assistant reply; a preference pair needs "
                                  "one assistant reply there",
                                  "'{what}' has {n} turns; a preference pair needs one assistant reply there",
                                  len(turns)).format(what=what, n=len(turns))
        return turns[0]["content"], None
    text, problem = content_text(v)
    if problem is not None:
        return None, _("'{what}': {problem}").format(what=what, problem=problem)
    if text is None or not text.strip():
        return None, _("'{what}' has no text").format(what=what)
    return text.strip(), None


def _hh_turns(text: str) -> list[dict[str, Any]] | None:
    """``"\\n\\nHuman: …\\n\\nAssistant: …"`` → turns (``None`` when the text has no such labels)."""
    marks = list(_HH.finditer(text))
    if not marks or marks[0].start() > 0 and text[:marks[0].start()].strip():
        return None
    out = []
    for m, nxt in zip(marks, marks[1:] + [None]):
        body = text[m.end(): nxt.start() if nxt else len(text)].strip()
        out.append({"role": "user" if m.group(1) in ("Human", "H") else "assistant", "content": body})
    return out


def _implicit(o: dict[str, Any], speakers: dict[str, str]) -> Parsed:
    """A pair given as two whole conversations: the shared prefix is the prompt."""
    sides = []
    for what in ("chosen", "rejected"):
        v = o[what]
        turns = _hh_turns(v) if isinstance(v, str) else None
        problem = None
        if turns is None and isinstance(v, list):
            turns, problem = _turns(v, speakers)
        if problem is not None:
            return Parsed(problem=_("'{what}': {problem}").format(what=what, problem=problem))
        if turns is None:
            return Parsed(problem=_("a pair without a prompt: 'chosen' and 'rejected' must be whole conversations "
                                    "(message lists) sharing the prompt, or add a 'prompt' field"))
        sides.append(turns)
    chosen, rejected = sides
    n = 0
    while n < min(len(chosen), len(rejected)) and chosen[n] == rejected[n]:
        n += 1
    if len(chosen) - n != 1 or len(rejected) - n != 1 or chosen[-1]["role"] != "assistant" \
            or rejected[-1]["role"] != "assistant":
        return Parsed(problem=_("'chosen' and 'rejected' must be the same conversation up to one different "
                                "assistant reply at the end"))
    return Parsed(messages=chosen, rejected=rejected[-1]["content"])


def read_pair(o: dict[str, Any], speakers: dict[str, str]) -> Parsed:
    """A preference pair from an object with lower-cased keys (see :func:`is_pair`)."""
    tools_given = bool(o.get("tools"))
    keys = ("chosen", "rejected")
    prompt: list[dict[str, Any]] | None
    if "preferred_output" in o or "non_preferred_output" in o:
        inp = o.get("input")
        msgs = inp.get("messages") if isinstance(inp, dict) else inp
        tools_given = tools_given or (isinstance(inp, dict) and bool(inp.get("tools")))
        prompt, problem = _turns(msgs, speakers) if isinstance(msgs, list) else (None, _(
            "'input' has no 'messages' list"))
        keys = ("preferred_output", "non_preferred_output")
    elif any(k in o for k in ("conversations", "messages")):
        prompt, problem = _turns(o.get("conversations", o.get("messages")), speakers)
    else:
        pk = next((k for k in PROMPT_KEYS if k in o and o[k] not in (None, "")), None)
        if pk is None:
            whole = _implicit(o, speakers)
            if whole.messages is None:
                return whole
            return _finish(o, whole.messages[:-1], whole.messages[-1]["content"], whole.rejected, tools_given)
        if isinstance(o[pk], list):
            prompt, problem = _turns(o[pk], speakers)
        else:
            text = text_of(o[pk])
            extra = text_of(o.get("input")) if pk == "instruction" else None
            prompt, problem = [], None
            if text is None or not text.strip():
                problem = _("'{key}' has no text").format(key=pk)
            else:
                user = text.strip() + (("\n\n" + extra.strip()) if extra and extra.strip() else "")
                prompt = [{"role": "user", "content": user}]
    if problem is not None or prompt is None:
        return Parsed(problem=problem)
    chosen, p1 = _reply(o.get(keys[0]), keys[0], speakers)
    rejected, p2 = _reply(o.get(keys[1]), keys[1], speakers)
    if chosen is None or rejected is None:
        return Parsed(problem=p1 or p2)
    return _finish(o, prompt, chosen, rejected, tools_given)


def _finish(o: dict[str, Any], prompt: list[dict[str, Any]], chosen: str, rejected: str | None,
            tools_given: bool) -> Parsed:
    """The checks every pair passes: no tool calls, a prompt ending with the user, two different replies."""
    system = text_of(next((o[k] for k in SYSTEM_KEYS if k in o), None))
    if system and system.strip() and not (prompt and prompt[0]["role"] == "system"):
        prompt = [{"role": "system", "content": system.strip()}] + prompt
    if tools_given or has_tool_turns(prompt):
        return Parsed(problem=_("preference pairs with tool calls or tool definitions cannot be imported yet; "
                                "import the chosen conversation as an example instead"))
    if not prompt or prompt[-1]["role"] != "user":
        return Parsed(problem=_("the prompt of the pair must end with a user turn"))
    if rejected is None or chosen == rejected:
        return Parsed(problem=_("the chosen and the rejected reply are the same; there is nothing to prefer"))
    return Parsed(messages=prompt + [{"role": "assistant", "content": chosen}], rejected=rejected)
