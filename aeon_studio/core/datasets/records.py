"""One converted conversation (:class:`Record`), role names, turn merging and validation.

Every importer yields :class:`Record` objects; a record whose ``problem`` is set is reported and written to the
rejects file, never dropped silently.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..i18n import N_, _, ngettext
# The domain keywords and the tagger live in .clean, which never imports this module back.
from .clean import DEFAULT_DOMAINS, DomainTagger, text_keys
from .toolcalls import TOOL_TURN_KEYS

ROLES = ("system", "user", "assistant")

#: Names that mean a role in JSON/CSV exports (lower-case).
ROLE_SYNONYMS: dict[str, str] = {
    "system": "system", "sistema": "system",
    "user": "user", "human": "user", "humano": "user", "usuario": "user", "usuário": "user", "você": "user",
    "voce": "user", "eu": "user", "me": "user", "customer": "user", "cliente": "user", "prompter": "user",
    "assistant": "assistant", "gpt": "assistant", "bot": "assistant", "ai": "assistant", "model": "assistant",
    "assistente": "assistant", "aeon": "assistant", "chatgpt": "assistant", "agent": "assistant",
}

#: Display names of the domain tags (translated where shown).
DOMAIN_LABELS = {"technical": N_("technical"), "support": N_("support"), "legal": N_("legal"),
                 "general": N_("general")}


def content_hash(messages: list[dict[str, Any]]) -> str:
    norm = [[str(m.get("role", "")), " ".join(str(m.get("content", "")).split())] for m in messages]
    for row, m in zip(norm, messages):
        # tool calls and results are part of the turn (a plain turn hashes as it always did)
        if m.get("tool_calls"):
            row.append(json.dumps(m["tool_calls"], ensure_ascii=False, sort_keys=True))
        if m.get("tool_call_id"):
            row.append(str(m["tool_call_id"]))
    return hashlib.sha256(json.dumps(norm, ensure_ascii=False).encode("utf-8")).hexdigest()


def pair_hash(prompt: list[dict[str, Any]], chosen: str, rejected: str) -> str:
    """The content hash of a preference pair (the same for a pair built from chats and an imported one)."""
    return content_hash(prompt + [{"role": "chosen", "content": chosen}, {"role": "rejected", "content": rejected}])


def record_hash(messages: list[dict[str, Any]], rec: Record) -> str:
    """The content hash of a kept record: :func:`content_hash` of its turns, with the rejected reply, the label
    and the tool definitions when it has them (a pair or a labelled record is not a duplicate of the plain
    conversation it contains)."""
    if rec.rejected is not None:
        return pair_hash(messages[:-1], str(messages[-1].get("content") or ""), rec.rejected)
    extra = []
    if rec.label is not None:
        extra.append({"role": "label", "content": "true" if rec.label else "false"})
    if rec.tools:
        extra.append({"role": "tools", "content": json.dumps(rec.tools, ensure_ascii=False, sort_keys=True)})
    return content_hash(messages + extra)


def dedup_suffix(rec: Record) -> str:
    """Text appended to a record's joined turns for duplicate detection: the rejected reply, the label and
    the tool definitions (empty for a plain record)."""
    if rec.plain:
        return ""
    parts = ["", rec.rejected or "", "" if rec.label is None else str(rec.label)]
    if rec.tools:
        parts.append(json.dumps(rec.tools, ensure_ascii=False, sort_keys=True))
    return "\x1f".join(parts)


def hash_bucket(h: str) -> int:
    """0–99, from the content hash: the split never depends on import order."""
    return int(h[:8], 16) % 100


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """A cheap token estimate (≈ 4 characters a token plus a few per turn); no tokenizer is loaded."""
    return sum(len(str(m.get("content", ""))) // 4 + 4 for m in messages)


_TAGGERS: dict[int, Any] = {}


def tag_domain(messages: list[dict[str, Any]], domains: dict[str, tuple[str, ...]] | None = None) -> str:
    """The domain with the most distinct keywords (whole words or phrases, case-insensitive) in the turns;
    ``general`` if none (see :class:`.clean.DomainTagger`)."""
    domains = domains or DEFAULT_DOMAINS
    tagger = _TAGGERS.get(id(domains))
    if tagger is None or tagger[0] is not domains:
        if len(_TAGGERS) > 32:
            _TAGGERS.clear()
        tagger = _TAGGERS[id(domains)] = (domains, DomainTagger(domains))
    return tagger[1](text_keys(" ".join(str(m.get("content", "")) for m in messages))[0])


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
    #: A preference pair: ``messages`` end with the chosen reply, this is the rejected one (same prompt).
    rejected: str | None = None
    #: A KTO label: ``True`` a desirable reply, ``False`` an undesirable one (never an SFT target).
    label: bool | None = None
    #: OpenAI tool definitions (``[{"type": "function", "function": {...}}]``) the tool calls refer to.
    tools: list[dict[str, Any]] | None = None

    @property
    def plain(self) -> bool:
        """True for an ordinary conversation: no pair, no label, no tools (the fast paths handle those)."""
        return self.rejected is None and self.label is None and self.tools is None


def is_context_only(turn: dict[str, Any]) -> bool:
    """True for a turn marked ``"weight": 0`` (OpenAI fine-tuning convention): context for the turns after it,
    never a training target."""
    w = turn.get("weight", 1)
    return w is not None and not isinstance(w, str) and float(w) == 0


def clean_turn(turn: dict[str, Any]) -> dict[str, Any]:
    """``{"role", "content"}`` plus ``"weight": 0`` when the turn is context only, and the tool call keys
    (``tool_calls``, ``tool_call_id``) when it has them; any other key is dropped."""
    out = {"role": turn["role"], "content": turn["content"]}
    if turn.get("role") == "assistant" and is_context_only(turn):
        out["weight"] = 0
    for k in TOOL_TURN_KEYS:
        if turn.get(k):
            out[k] = turn[k]
    return out


def merge_turns(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join consecutive turns of the same role (one speaker writing several lines/messages in a row).

    A merged assistant turn is context only (``weight`` 0) when any of its parts is: what must not be learned
    stays unlearned."""
    out: list[dict[str, Any]] = []
    for m in messages:
        # a tool call or a tool's result is a turn of its own (parallel calls give several results in a row)
        if out and out[-1]["role"] == m["role"] and m["role"] != "tool" and not _has_tool_keys(out[-1]) \
                and not _has_tool_keys(m):
            merged = {"role": m["role"], "content": out[-1]["content"] + "\n" + m["content"]}
            if is_context_only(out[-1]) or is_context_only(m):
                merged["weight"] = 0
            out[-1] = merged
        else:
            out.append(m)
    return out


def _has_tool_keys(turn: dict[str, Any]) -> bool:
    return "tool_calls" in turn or "tool_call_id" in turn


def check_record(messages: Any, *, max_tokens: int | None = None, min_chars: int = 1,
                 max_chars: int | None = None,
                 count_tokens: Callable[[list[dict[str, Any]]], int] | None = None) -> str | None:
    """Why ``messages`` is not a usable training conversation, or ``None``.

    Checks: roles are system/user/assistant (and tool); every turn has text (at least ``min_chars`` characters
    after stripping, at most ``max_chars``), except an assistant turn that calls tools; a system turn only comes
    first; user and assistant alternate, starting with the user, and an assistant's tool calls are followed by
    the tools' results (``tool`` turns) before the assistant goes on; the last turn is the assistant's; the
    conversation fits ``max_tokens`` (cheap estimate, or ``count_tokens`` when given and the estimate is close to
    the limit).
    """
    if not isinstance(messages, list) or not messages:
        return _("no messages")
    fast = _check_fast(messages, min_chars, max_chars)
    if fast is not None:
        chars = fast
    else:
        problem_or_chars = _check_turns(messages, min_chars, max_chars)
        if isinstance(problem_or_chars, str):
            return problem_or_chars
        chars = problem_or_chars
    if messages[-1]["role"] != "assistant":
        return _("the last turn is not an assistant reply")
    if all(is_context_only(m) for m in messages if m["role"] == "assistant"):
        return _("every assistant reply is marked \"weight\": 0, so there is nothing to learn from it")
    if max_tokens:
        n = chars // 4 + 4 * len(messages)
        if count_tokens is not None and n > max_tokens // 2:
            n = count_tokens(messages)
        if n > max_tokens:
            return _("about {tokens}, more than the limit of {limit}").format(
                tokens=ngettext("{n} token", "{n} tokens", n).format(n=n),
                limit=ngettext("{n} token", "{n} tokens", max_tokens).format(n=max_tokens))
    return None


_ALTERNATING = [["user", "assistant"][i % 2] for i in range(4096)]


def _check_fast(messages: list[Any], min_chars: int, max_chars: int | None) -> int | None:
    """Total characters when every turn is fine (C-level checks), else ``None`` (see :func:`_check_turns`)."""
    try:
        roles = [m["role"] for m in messages]
        contents = [m["content"] for m in messages]
    except (TypeError, KeyError, IndexError):
        return None
    n = len(roles)
    if roles[0] == "system":
        if roles[1:] != _ALTERNATING[:n - 1]:
            return None
    elif roles != _ALTERNATING[:n]:
        return None
    if set(map(type, contents)) != {str}:
        return None
    lengths = list(map(len, map(str.strip, contents)))
    if min(lengths) < max(1, min_chars) or (max_chars is not None and max(lengths) > max_chars):
        return None
    return sum(map(len, contents))


def _check_turns(messages: list[Any], min_chars: int, max_chars: int | None) -> str | int:
    """The first problem of the turns, or the total characters."""
    expected = "user"  # or "assistant", "tool" (after tool calls), "tool+assistant" (after a tool's result)
    chars = 0
    calls_at = 0
    for i, m in enumerate(messages, 1):
        role = m.get("role") if type(m) is dict else None
        if role == "tool":
            if expected not in ("tool", "tool+assistant"):
                return _("turn {n} is a tool's result, but the turn before it calls no tool").format(n=i)
            if type(m.get("content")) is not str:
                return _("turn {n} (tool) has no text").format(n=i)
            chars += len(m["content"])
            expected = "tool+assistant"
            continue
        if expected == "tool":
            return _("turn {n}: the tool call of turn {call} has no result (a 'tool' or 'observation' turn "
                     "must follow it)").format(n=i, call=calls_at)
        if expected == "tool+assistant":
            expected = "assistant"
        if role != expected:
            if role == "system" and i == 1:
                pass
            elif role not in ROLES:
                return _("turn {n} has no valid role (system, user or assistant)").format(n=i)
            elif role == "system":
                return _("turn {n} is a system turn; a system prompt may only come first").format(n=i)
            elif role == "assistant":
                return _("turn {n}: an assistant turn where a user turn was expected (the conversation must "
                         "start with the user and alternate)").format(n=i)
            else:
                return _("turn {n}: two user turns in a row").format(n=i)
        content = m.get("content")
        calls = m.get("tool_calls") if role == "assistant" else None
        if calls:
            # a turn that only calls tools has no text of its own
            chars += len(content or "") + sum(len(str(c)) for c in calls)
            expected, calls_at = "tool", i
            continue
        if type(content) is not str:
            return _("turn {n} ({role}) is empty").format(n=i, role=role)
        n_chars = len(content.strip())
        if n_chars < min_chars:
            if not n_chars:
                return _("turn {n} ({role}) is empty").format(n=i, role=role)
            return ngettext("turn {n} ({role}) has {chars} character, fewer than the minimum {min}",
                            "turn {n} ({role}) has {chars} characters, fewer than the minimum {min}", n_chars).format(
                n=i, role=role, chars=n_chars, min=min_chars)
        if max_chars is not None and n_chars > max_chars:
            return ngettext("turn {n} ({role}) has {chars} character, more than the maximum {max}",
                            "turn {n} ({role}) has {chars} characters, more than the maximum {max}", n_chars).format(
                n=i, role=role, chars=n_chars, max=max_chars)
        chars += len(content)
        if role != "system":
            expected = "assistant" if role == "user" else "user"
    return chars
