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


def _ids(tok, messages, *, gen: bool) -> list[int]:
    messages = [{"role": m["role"], "content": m["content"]} for m in messages]  # the template sees text only
    out = tok.apply_chat_template(messages, tokenize=True, add_generation_prompt=gen)
    if isinstance(out, dict) or hasattr(out, "keys"):
        out = out["input_ids"]
    return list(out)


def is_target(turn: dict[str, Any]) -> bool:
    """An assistant turn the model learns from: every assistant turn except those marked ``"weight": 0``
    (context only: an earlier reply kept for the conversation's sake, not because it earned it)."""
    from ..datasets.records import is_context_only

    return turn.get("role") == "assistant" and not is_context_only(turn)


def has_context_turns(rows: list[dict[str, Any]]) -> bool:
    """True when some example keeps an assistant turn as context only (``"weight": 0``)."""
    return any(m.get("role") == "assistant" and not is_target(m)
               for r in rows for m in (r.get("messages") or []) if isinstance(m, dict))


def encode_chat(tok, messages: list[dict[str, Any]], max_len: int) -> tuple[list[int], list[int]]:
    """input_ids and labels (-100 outside the target assistant replies), truncated to ``max_len``."""
    full = _ids(tok, messages, gen=False)
    labels = [-100] * len(full)
    for i, m in enumerate(messages):
        if not is_target(m):
            continue
        start = len(_ids(tok, messages[:i], gen=True)) if i else 0
        end = len(_ids(tok, messages[: i + 1], gen=False))
        for j in range(start, min(end, len(full))):
            labels[j] = full[j]
    return full[:max_len], labels[:max_len]


def encode_sft(tok, rows: list[dict[str, Any]], max_len: int) -> list[tuple[list[int], list[int]]]:
    out = []
    for n, r in enumerate(rows, 1):
        msgs = r.get("messages")
        if not isinstance(msgs, list) or not msgs:
            raise TrainingError(_("Example {n} has no 'messages' list.").format(n=n),
                                hint=_("Each example must be {\"messages\": [{\"role\": …, \"content\": …}]}."))
        out.append(encode_chat(tok, msgs, max_len))
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
