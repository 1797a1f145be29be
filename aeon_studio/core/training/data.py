"""Dataset snapshot reading and chat-template tokenization with loss on assistant tokens only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import AeonError
from ..i18n import _


class TrainingError(AeonError):
    """A training run cannot start or continue (bad dataset, no trainable tokens, base model)."""

    kind = "training"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise TrainingError(_("{path}:{line}: not valid JSON ({err}).").format(path=path, line=n, err=exc.msg),
                                hint=_("Each line must be one JSON object.")) from exc
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    tmp = Path(path).with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    tmp.replace(path)


def _template_turn(m: dict[str, Any]) -> dict[str, Any]:
    """A turn as chat templates read it: text, plus tool calls (arguments as an object, which is what the
    templates of tool-calling models expect) and the id a tool's result answers."""
    out: dict[str, Any] = {"role": m["role"], "content": m.get("content") or ""}
    if m.get("tool_calls"):
        calls = []
        for c in m["tool_calls"]:
            fn = dict(c.get("function") or {})
            try:
                fn["arguments"] = json.loads(fn.get("arguments") or "{}")
            except (TypeError, ValueError):
                pass
            calls.append({**c, "function": fn})
        out["tool_calls"] = calls
    if m.get("tool_call_id"):
        out["tool_call_id"] = m["tool_call_id"]
    return out


def _ids(tok, messages, *, gen: bool, tools: list[dict[str, Any]] | None = None) -> list[int]:
    messages = [_template_turn(m) for m in messages]  # weights and other keys are not the template's business
    kwargs = {"tools": tools} if tools else {}
    out = tok.apply_chat_template(messages, tokenize=True, add_generation_prompt=gen, **kwargs)
    if isinstance(out, dict) or hasattr(out, "keys"):
        out = out["input_ids"]
    return list(out)


def is_target(turn: dict[str, Any]) -> bool:
    """An assistant turn the model learns from: every assistant turn except those marked ``"weight": 0``
    (context only: an earlier reply kept for the conversation's sake, not because it earned it)."""
    from ..datasets.records import is_context_only

    return turn.get("role") == "assistant" and not is_context_only(turn)


def encode_chat(tok, messages: list[dict[str, Any]], max_len: int, *,
                tools: list[dict[str, Any]] | None = None) -> tuple[list[int], list[int]]:
    """input_ids and labels (-100 outside the target assistant replies), truncated to ``max_len``. ``tools``
    (OpenAI definitions) are handed to the chat template with the turns; a target turn that calls tools must
    show the call in the rendered text, else :class:`TrainingError` (the model would learn an empty reply)."""
    full = _ids(tok, messages, gen=False, tools=tools)
    labels = [-100] * len(full)
    for i, m in enumerate(messages):
        if not is_target(m):
            continue
        start = len(_ids(tok, messages[:i], gen=True, tools=tools)) if i else 0
        end = len(_ids(tok, messages[: i + 1], gen=False, tools=tools))
        if m.get("tool_calls"):
            _check_calls_shown(tok, full[start:end], m["tool_calls"], i + 1)
        for j in range(start, min(end, len(full))):
            labels[j] = full[j]
    return full[:max_len], labels[:max_len]


def _check_calls_shown(tok, ids: list[int], calls: list[dict[str, Any]], turn: int) -> None:
    text = tok.decode(ids)
    missing = [c["function"]["name"] for c in calls if c["function"]["name"] not in text]
    if missing:
        raise TrainingError(
            _("Turn {turn}: the tool '{name}' is called, but the base model's chat template does not show tool "
              "calls; the model would learn an empty reply.").format(turn=turn, name=missing[0]),
            hint=_("Train a base model whose chat template supports tools, or leave the examples with tool calls "
                   "out of the dataset."))


def is_undesirable(row: dict[str, Any]) -> bool:
    """An example labelled undesirable (KTO ``"label": false``): never a supervised target."""
    return row.get("label") is False


def sft_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows supervised training may learn from: undesirable examples left out, labels dropped (a label
    means nothing to SFT, and TRL's trainers would take the column for something else)."""
    return [{k: v for k, v in r.items() if k != "label"} for r in rows if not is_undesirable(r)]


def encode_sft(tok, rows: list[dict[str, Any]], max_len: int) -> list[tuple[list[int], list[int]]]:
    """Every example encoded for SFT; one labelled undesirable is skipped (its reply is a bad answer, never a
    target), so data that bypassed :func:`sft_rows` still cannot teach it."""
    out = []
    for n, r in enumerate(rows, 1):
        if is_undesirable(r):
            continue
        msgs = r.get("messages")
        if not isinstance(msgs, list) or not msgs:
            raise TrainingError(_("Example {n} has no 'messages' list.").format(n=n),
                                hint=_("Each example must be {\"messages\": [{\"role\": …, \"content\": …}]}."))
        out.append(encode_chat(tok, msgs, max_len, tools=r.get("tools")))
    return out


def encode_pair(tok, row: dict[str, Any], max_len: int):
    prompt = row.get("prompt")
    msgs = prompt if isinstance(prompt, list) else [{"role": "user", "content": str(prompt)}]
    res = []
    for key in ("chosen", "rejected"):
        ans = row.get(key)
        text = ans if isinstance(ans, str) else (ans[-1]["content"] if ans else "")
        res.append(encode_chat(tok, msgs + [{"role": "assistant", "content": text}], max_len))
    return res
