"""One converted conversation (:class:`Record`), role names, turn merging and validation.

Every importer yields :class:`Record` objects; a record whose ``problem`` is set is reported and written to the
rejects file, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..i18n import _

ROLES = ("system", "user", "assistant")

#: Names that mean a role in JSON/CSV exports (lower-case).
ROLE_SYNONYMS: dict[str, str] = {
    "system": "system", "sistema": "system",
    "user": "user", "human": "user", "humano": "user", "usuario": "user", "usuário": "user", "você": "user",
    "voce": "user", "eu": "user", "me": "user", "customer": "user", "cliente": "user", "prompter": "user",
    "assistant": "assistant", "gpt": "assistant", "bot": "assistant", "ai": "assistant", "model": "assistant",
    "assistente": "assistant", "aeon": "assistant", "chatgpt": "assistant", "agent": "assistant",
}


@dataclass
class Record:
    """One conversation read from a file.

    Attributes:
        messages: ``[{"role": "system"|"user"|"assistant", "content": str}, ...]``.
        ref: ``"file.log:12"`` — file name and the line where the record starts.
        problem: why the record is rejected, or ``None`` when it is valid.
        line: the line number alone (0 when unknown).
        extra: importer-specific data (e.g. ``{"item": 3}`` for a JSON array element).
    """

    messages: list[dict[str, Any]]
    ref: str
    problem: str | None = None
    line: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def merge_turns(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join consecutive turns of the same role (one speaker writing several lines/messages in a row)."""
    out: list[dict[str, Any]] = []
    for m in messages:
        if out and out[-1]["role"] == m["role"]:
            out[-1] = {"role": m["role"], "content": out[-1]["content"] + "\n" + m["content"]}
        else:
            out.append(m)
    return out


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """≈ 4 characters a token plus a few per turn (the template's role markers); no tokenizer."""
    return sum(len(m["content"]) // 4 + 4 for m in messages)


def check_record(messages: Any, *, max_tokens: int | None = None, min_chars: int = 1,
                 max_chars: int | None = None,
                 count_tokens: Callable[[list[dict[str, Any]]], int] | None = None) -> str | None:
    """Why ``messages`` is not a usable training conversation, or ``None``.

    Checks: roles are system/user/assistant; every turn has text (at least ``min_chars`` characters after
    stripping, at most ``max_chars``); a system turn only comes first; user and assistant alternate, starting
    with the user; the last turn is the assistant's; the conversation fits ``max_tokens`` (cheap estimate, or
    ``count_tokens`` when given and the estimate is close to the limit).
    """
    if not isinstance(messages, list) or not messages:
        return _("no messages")
    expected = "user"
    for i, m in enumerate(messages, 1):
        role = m.get("role") if isinstance(m, dict) else None
        if role not in ROLES:
            return _("turn {n} has no valid role (system, user or assistant)").format(n=i)
        content = m.get("content")
        if not isinstance(content, str) or not content.strip():
            return _("turn {n} ({role}) is empty").format(n=i, role=role)
        n_chars = len(content.strip())
        if n_chars < min_chars:
            return _("turn {n} ({role}) has {chars} characters, fewer than the minimum {min}").format(
                n=i, role=role, chars=n_chars, min=min_chars)
        if max_chars is not None and n_chars > max_chars:
            return _("turn {n} ({role}) has {chars} characters, more than the maximum {max}").format(
                n=i, role=role, chars=n_chars, max=max_chars)
        if role == "system":
            if i != 1:
                return _("turn {n} is a system turn; a system prompt may only come first").format(n=i)
            continue
        if role != expected:
            if role == "assistant":
                return _("turn {n}: an assistant turn where a user turn was expected (the conversation must "
                         "start with the user and alternate)").format(n=i)
            return _("turn {n}: two user turns in a row").format(n=i)
        expected = "assistant" if role == "user" else "user"
    if messages[-1]["role"] != "assistant":
        return _("the last turn is not an assistant reply")
    if max_tokens:
        n = estimate_tokens(messages)
        if count_tokens is not None and n > max_tokens // 2:
            n = count_tokens(messages)
        if n > max_tokens:
            return _("about {n} tokens, more than the limit of {max} tokens").format(n=n, max=max_tokens)
    return None
