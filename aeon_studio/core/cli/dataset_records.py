"""How the dataset commands print records: tool calls, preference pairs and KTO labels in plain text."""

from __future__ import annotations

from typing import Any

from ..i18n import _, ngettext


def turn_text(m: dict[str, Any]) -> str:
    """A turn's text, with the tools it calls (a turn that only calls tools has no text of its own)."""
    calls = m.get("tool_calls") or []
    shown = [f"{c['function']['name']}({c['function'].get('arguments', '')})" for c in calls]
    text = m.get("content") or ""
    if shown:
        return (text + " " if text else "") + _("[calls {calls}]").format(calls=", ".join(shown))
    return text


def record_lines(rec: Any) -> list[str]:
    """The lines of a previewed record (:class:`~aeon_studio.core.datasets.records.Record`) after its turns:
    the tools it may call, the rejected reply of a pair, an undesirable label."""
    lines = []
    if getattr(rec, "tools", None):
        lines.append(_("tools: {names}").format(names=", ".join(t["function"]["name"] for t in rec.tools)))
    if getattr(rec, "rejected", None) is not None:
        lines.append(_("rejected reply (preference pair): {text}").format(text=rec.rejected))
    if getattr(rec, "label", None) is False:
        lines.append(_("[labelled undesirable: kept as a bad example, never trained on as a good answer]"))
    return lines


def kinds_line(res: Any) -> str | None:
    """The line of an import report that says how many kept records are preference pairs or undesirable."""
    pairs, bad = getattr(res, "pairs", 0), getattr(res, "undesirable", 0)
    parts = []
    if pairs:
        parts.append(ngettext("{n} preference pair", "{n} preference pairs", pairs).format(n=pairs))
    if bad:
        parts.append(ngettext("{n} example labelled undesirable (a bad example, never an SFT target)",
                              "{n} examples labelled undesirable (bad examples, never SFT targets)", bad).format(n=bad))
    return _("Of those kept: {list}.").format(list="; ".join(parts)) if parts else None
