"""Plain-words text of what the core now keeps in a dataset: tool calls, tool results, preference pairs and
examples labelled undesirable (bad examples).

Used by the examples table (one line per cell), the detail pane under it (HTML) and the import dialog's preview.
Nothing here touches the database or Qt widgets; it only turns stored turns into text a newcomer can read.
"""

from __future__ import annotations

import html
import json
from typing import Any

from aeon_studio.core.i18n import N_, _

#: Role names as the detail pane shows them.
ROLE_NAMES = {"system": N_("System"), "user": N_("User"), "assistant": N_("Assistant"), "tool": N_("Tool result")}
#: Plain-words explanation of each export format (keys of ``core.datasets.exporters.EXPORT_FORMATS``).
FORMAT_HELP = {
    "messages": N_("Conversations for ordinary fine-tuning (OpenAI chat format; TRL, Unsloth and OpenAI read it). "
                   "Tool definitions and tool calls are kept. Bad examples are left out."),
    "sharegpt": N_("The same conversations in the ShareGPT layout that LLaMA-Factory and Axolotl read. Tool "
                   "calls become function_call/observation turns. Bad examples are left out."),
    "dpo": N_("Preference pairs: for each question, the better reply and the worse one, to teach the model "
              "which of two answers to prefer (DPO training)."),
    "kto": N_("Every example with a thumbs up or down: good answers are marked desirable, bad examples "
              "undesirable, so the model learns to avoid them (KTO training)."),
}


def format_help(fmt: str) -> str:
    """The translated explanation of an export format (empty for an unknown one)."""
    return _(FORMAT_HELP[fmt]) if fmt in FORMAT_HELP else ""


def _arguments(raw: Any) -> str:
    """``city="Lisboa", days=3`` from a call's JSON arguments (the raw text when it is not a JSON object)."""
    try:
        args = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return str(raw)
    if not isinstance(args, dict):
        return json.dumps(args, ensure_ascii=False)
    return ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in args.items())


def call_text(call: dict[str, Any]) -> str:
    """One tool call as ``get_weather(city="Lisboa")``."""
    fn = call.get("function") or {}
    return f"{fn.get('name', '?')}({_arguments(fn.get('arguments', ''))})"


def calls_text(turn: dict[str, Any]) -> str:
    """What an assistant turn asks tools to do (``calls get_weather(city="Lisboa")``), or ``""``."""
    calls = turn.get("tool_calls") or []
    if not calls:
        return ""
    return _("calls {calls}").format(calls=", ".join(call_text(c) for c in calls))


def turn_text(turn: dict[str, Any]) -> str:
    """A turn's text with its tool calls in words."""
    text = str(turn.get("content") or "")
    calls = calls_text(turn)
    return f"{text} [{calls}]" if text and calls else (calls and f"[{calls}]") or text


def tool_names(names: Any) -> str:
    """Tool definitions (OpenAI shape) as a list of names."""
    return ", ".join(str((t.get("function") or {}).get("name", "?")) for t in names or [])


def reply_summary(messages: list[dict[str, Any]]) -> str:
    """The reply to the first user turn, for one table cell: the tool calls it makes in words, then the answer
    given after the tools' results (``[calls get_weather(city="Lisboa")] → Faz 22 °C em Lisboa.``)."""
    parts: list[str] = []
    started = False
    for m in messages or []:
        role = m.get("role")
        if not started:
            started = role == "user"
            continue
        if role == "user":
            break
        if role == "assistant":
            parts.append(turn_text(m))
            if not m.get("tool_calls"):
                break
    return " → ".join(p for p in parts if p)


def _para(css: str, label: str, body: str) -> str:
    return (f'<p style="margin:4px 0;{css}"><b>{html.escape(label)}</b><br>'
            f'{html.escape(body).replace(chr(10), "<br>")}</p>')


def conversation_html(messages: list[dict[str, Any]], *, tools: Any = None, label: bool | None = None,
                      muted: str = "#5f6368", error: str = "#c5221f") -> str:
    """An example as HTML for the detail pane: a red banner for a bad example, the tools it may call, every turn
    with its role, tool calls and tool results in words. ``muted`` and ``error`` are the theme's text colours."""
    out = []
    if label is False:
        out.append(bad_banner_html())
    if tools:
        out.append(_para(f"color:{muted};", _("Tools it may call:"), tool_names(tools)))
    names = {}
    for m in messages or []:
        for c in m.get("tool_calls") or []:
            names[c.get("id")] = (c.get("function") or {}).get("name", "?")
    for m in messages or []:
        role = m.get("role", "")
        who = _(ROLE_NAMES[role]) if role in ROLE_NAMES else role
        if role == "tool":
            who = _("Result of {tool}").format(tool=names.get(m.get("tool_call_id"), "?"))
            out.append(_para(f"margin-left:16px;color:{muted};", who, str(m.get("content") or "")))
            continue
        text, calls = str(m.get("content") or ""), calls_text(m)
        body = "\n".join(p for p in (text, f"→ {calls}" if calls else "") if p)
        css = f"color:{error};" if label is False and m is messages[-1] else ""
        if m.get("weight") == 0:
            who += " · " + _("context only, not learned")
        out.append(_para(css, who, body))
    return "".join(out)


def bad_banner_html() -> str:
    """The banner over a bad example: what it is and that it is never trained on as a good answer."""
    return ('<p style="background:#fce8e6;color:#a50e0e;padding:6px;margin:0 0 6px 0;"><b>✗ '
            + html.escape(_("Bad example (labelled undesirable)")) + "</b><br>"
            + html.escape(_("The last reply is what the assistant should NOT say. It is never trained on as a good "
                            "answer; only KTO training uses it, to learn to avoid it.")) + "</p>")


def pair_html(prompt: list[dict[str, Any]], chosen: str, rejected: str) -> str:
    """A preference pair as HTML: the conversation up to the question, then the chosen and the rejected reply
    side by side."""
    head = "".join(_para("", _(ROLE_NAMES.get(m.get("role", ""), "")) if m.get("role") in ROLE_NAMES
                         else str(m.get("role", "")), turn_text(m)) for m in prompt or [])

    def cell(title: str, colour: str, text: str) -> str:
        return (f'<td width="50%" style="background:{colour};color:#202124;padding:6px;vertical-align:top;">'
                f"<b>{html.escape(title)}</b><br>{html.escape(text).replace(chr(10), '<br>')}</td>")

    table = ('<table width="100%" cellspacing="4"><tr>'
             + cell("✓ " + _("Chosen reply (preferred)"), "#e6f4ea", chosen)
             + cell("✗ " + _("Rejected reply (the worse one)"), "#fce8e6", rejected) + "</tr></table>")
    return head + table
