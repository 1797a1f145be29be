"""Export formats of a dataset (a registry of pure row functions) and the atomic JSONL writer.

- ``messages``: OpenAI chat fine-tuning, ``{"messages": [...], "tools": [...]}`` (``tools`` only when the
  conversation calls tools; tool calls stay as OpenAI ``tool_calls`` and ``tool`` turns);
- ``sharegpt``: LLaMA-Factory ShareGPT, ``{"conversations": [{"from", "value"}], "tools": "<JSON>"}`` with
  ``function_call``/``observation`` turns for tool calls;
- ``dpo``: TRL conversational preference pairs, ``{"prompt": [...], "chosen": [assistant], "rejected": [...]}``;
- ``kto``: TRL unpaired preference, ``{"prompt": [...], "completion": [assistant], "label": bool}`` (an
  unlabelled example counts as desirable: it is in the set because it is a good answer).

``messages`` and ``sharegpt`` are supervised (SFT) data: examples labelled undesirable are never written there
(the caller reports how many were left out); ``kto`` writes them with their label.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..i18n import N_, _
from .errors import DatasetError
from .records import is_context_only

#: Format key → label (translated where shown).
EXPORT_FORMATS: dict[str, str] = {
    "messages": N_("OpenAI messages (JSONL)"),
    "sharegpt": N_("ShareGPT (JSONL)"),
    "dpo": N_("DPO pairs (JSONL)"),
    "kto": N_("KTO examples with labels (JSONL)"),
}
#: Formats written from the preference pairs; the others are written from the examples.
PAIR_FORMATS = ("dpo",)
#: Formats that are supervised data: undesirable examples are left out of them.
SFT_FORMATS = ("messages", "sharegpt")
_WHO = {"system": "system", "user": "human", "assistant": "gpt", "tool": "observation"}


def messages_row(ex: dict[str, Any]) -> dict[str, Any]:
    """An example as OpenAI fine-tuning data (tool definitions kept)."""
    row: dict[str, Any] = {"messages": ex["messages"]}
    if ex.get("tools"):
        row["tools"] = ex["tools"]
    return row


def _call_value(calls: list[dict[str, Any]]) -> str:
    """LLaMA-Factory's ``function_call`` value: ``{"name", "arguments"}`` (a list for parallel calls)."""
    out = []
    for c in calls:
        args = c["function"].get("arguments") or "{}"
        try:
            args = json.loads(args)
        except (TypeError, ValueError):
            pass
        out.append({"name": c["function"]["name"], "arguments": args})
    return json.dumps(out[0] if len(out) == 1 else out, ensure_ascii=False)


def sharegpt_row(ex: dict[str, Any]) -> dict[str, Any]:
    """An example as LLaMA-Factory ShareGPT; tool calls become ``function_call``/``observation`` turns (the
    results of parallel calls are one observation, a JSON list) and the definitions a JSON ``tools`` text."""
    conv: list[dict[str, Any]] = []
    for m in ex["messages"]:
        if m.get("tool_calls"):
            conv.append({"from": "function_call", "value": _call_value(m["tool_calls"])})
            continue
        if m["role"] == "tool" and conv and conv[-1]["from"] == "observation":
            prev = conv[-1]
            parts = prev.pop("_parts", [prev["value"]]) + [m["content"]]
            prev.update(value=json.dumps(parts, ensure_ascii=False), _parts=parts)
            continue
        conv.append({"from": _WHO[m["role"]], "value": m["content"], **({"weight": 0} if is_context_only(m) else {})})
    for turn in conv:
        turn.pop("_parts", None)
    row: dict[str, Any] = {"conversations": conv}
    if ex.get("tools"):
        row["tools"] = json.dumps([t["function"] for t in ex["tools"]], ensure_ascii=False)
    return row


def kto_row(ex: dict[str, Any]) -> dict[str, Any]:
    """An example as TRL's unpaired preference data: the last reply is the completion, with its label."""
    msgs = ex["messages"]
    row: dict[str, Any] = {"prompt": msgs[:-1], "completion": msgs[-1:],
                           "label": ex.get("label") is not False}
    if ex.get("tools"):
        row["tools"] = ex["tools"]
    return row


def dpo_row(p: dict[str, Any]) -> dict[str, Any]:
    """A preference pair as TRL's conversational DPO data."""
    return {"prompt": p["prompt"], "chosen": [{"role": "assistant", "content": p["chosen"]}],
            "rejected": [{"role": "assistant", "content": p["rejected"]}]}


ROWS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "messages": messages_row, "sharegpt": sharegpt_row, "kto": kto_row, "dpo": dpo_row}


def check_format(fmt: str) -> None:
    """:class:`DatasetError` for an unknown export format."""
    if fmt not in EXPORT_FORMATS:
        raise DatasetError(_("Unknown export format '{fmt}'.").format(fmt=fmt),
                           hint=_("Use one of: {formats}.").format(formats=", ".join(EXPORT_FORMATS)))


def write_jsonl(path: str | os.PathLike, rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` as UTF-8 JSONL (non-ASCII kept) under a temporary name, then rename: a failure leaves any
    old file intact. Returns the number of rows."""
    out = Path(path).expanduser()
    n = 0
    tmp = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
                n += 1
        os.replace(tmp, out)
    except OSError as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise DatasetError(_("Cannot write {path}: {error}").format(path=out, error=exc.strerror or exc),
                           hint=_("Choose a writable folder.")) from exc
    return n
