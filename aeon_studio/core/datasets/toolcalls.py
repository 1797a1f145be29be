"""Tool calls in conversations: OpenAI's shape, LLaMA-Factory's ``function_call``/``observation`` turns, checks.

What is stored (OpenAI's fine-tuning shape, which TRL's chat templates also read):

- tool definitions on the record: ``[{"type": "function", "function": {"name", "description", "parameters"}}]``;
- an assistant turn that calls tools: ``{"role": "assistant", "content": "", "tool_calls": [{"id", "type":
  "function", "function": {"name", "arguments": "<JSON text>"}}]}``;
- a tool's result: ``{"role": "tool", "tool_call_id": "…", "content": "…"}``.

A conversation whose calls name a tool the record does not define is rejected: a model must never learn to call
tools it was not shown.
"""

from __future__ import annotations

import json
from typing import Any

from ..i18n import _

#: Turn keys that belong to tool calling (kept on a stored turn next to ``role``/``content``).
TOOL_TURN_KEYS = ("tool_calls", "tool_call_id")


def normalize_tools(value: Any) -> tuple[list[dict[str, Any]] | None, str | None]:
    """``(tools, None)`` in OpenAI's shape from a list or a JSON text (LLaMA-Factory stores a string) of
    OpenAI (``{"type": "function", "function": {...}}``) or bare (``{"name", "parameters"}``) definitions;
    ``(None, None)`` when there are none; ``(None, problem)`` when they cannot be read."""
    if value is None or value == "" or value == []:
        return None, None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            return None, _("the 'tools' field is not valid JSON ({error})").format(error=getattr(exc, "msg", exc))
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return None, _("the 'tools' field is not a list of tool definitions")
    out = []
    for i, t in enumerate(value, 1):
        fn = t.get("function") if isinstance(t, dict) and isinstance(t.get("function"), dict) else t
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"].strip():
            return None, _("tool definition {n} in 'tools' has no name").format(n=i)
        out.append({"type": "function", "function": fn})
    return out or None, None


def tool_names(tools: list[dict[str, Any]] | None) -> set[str]:
    """The function names defined by ``tools`` (OpenAI shape)."""
    return {t["function"]["name"] for t in tools or ()}


def _arguments(value: Any) -> str | None:
    """The arguments as JSON text (OpenAI's shape); ``None`` when they are not JSON."""
    if value is None:
        return "{}"
    if isinstance(value, str):
        try:
            json.loads(value)
        except ValueError:
            return None
        return value
    return json.dumps(value, ensure_ascii=False)


def normalize_call(value: Any, call_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """One call in OpenAI's shape from an OpenAI call (``{"id", "function": {"name", "arguments"}}``) or a
    bare/legacy one (``{"name", "arguments"}``); ``call_id`` is used when the call has no id."""
    fn = value.get("function") if isinstance(value, dict) and isinstance(value.get("function"), dict) else value
    if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"].strip():
        return None, _("a tool call has no function name")
    args = _arguments(fn.get("arguments", fn.get("parameters")))
    if args is None:
        return None, _("the arguments of the call to '{name}' are not valid JSON").format(name=fn["name"])
    cid = value.get("id") if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"] else call_id
    return {"id": cid, "type": "function", "function": {"name": fn["name"].strip(), "arguments": args}}, None


def normalize_calls(value: Any, first: int) -> tuple[list[dict[str, Any]] | None, str | None]:
    """A list of calls (or one call, or LLaMA-Factory's JSON text of either) in OpenAI's shape; calls without
    an id are numbered ``call_<first>``, ``call_<first + 1>``…"""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            return None, _("the function call is not valid JSON ({error})").format(error=getattr(exc, "msg", exc))
    items = value if isinstance(value, list) else [value]
    if not items:
        return None, _("the function call is empty")
    out = []
    for i, item in enumerate(items):
        call, problem = normalize_call(item, f"call_{first + i}")
        if problem is not None:
            return None, problem
        out.append(call)
    return out, None


def check_tool_refs(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> str | None:
    """Why the tool calls of ``messages`` do not fit the record's ``tools`` (a call to an undefined tool, or
    calls without any definitions), or ``None``."""
    names: set[str] | None = None
    for i, m in enumerate(messages, 1):
        calls = m.get("tool_calls")
        if not calls:
            continue
        if names is None:
            names = tool_names(tools)
        for call in calls:
            name = call["function"]["name"]
            if not names:
                return _("turn {n}: the tool '{name}' is called, but the record has no 'tools' definitions; add "
                         "them (OpenAI or LLaMA-Factory 'tools') or leave the record out").format(n=i, name=name)
            if name not in names:
                return _("turn {n}: the tool '{name}' is called, but the record's 'tools' do not define it "
                         "(defined: {names})").format(n=i, name=name, names=", ".join(sorted(names)))
    return None


def has_tool_turns(messages: list[dict[str, Any]]) -> bool:
    """True when a turn calls a tool or carries a tool's result."""
    return any(m.get("role") == "tool" or m.get("tool_calls") for m in messages)
