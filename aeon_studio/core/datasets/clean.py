"""Cleaning: PII scrubbing (with a preview), configurable domain keywords.

PII replaced by :func:`scrub_pii`: e-mail addresses → ``[EMAIL]``; CNPJ → ``[CNPJ]`` and CPF → ``[CPF]`` (with
punctuation, or 11/14 bare digits whose check digits are right); card numbers of 13-19 digits that pass the
Luhn check → ``[CARD]``; phone numbers (Brazilian ``(11) 91234-5678``, ``+55 11 91234-5678``, ``11 3456-7890``
and international ``+1 415 555 0100``) → ``[PHONE]``.

Domain keywords come from, in order: an explicit JSON file; the ``dataset_domains`` key of
``<home>/settings.json``; ``<home>/datasets/domains.json``; the built-in lists. The JSON is
``{"domain": ["keyword", …], …}``; ``general`` is what matches nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..i18n import _
from .errors import DatasetError

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CNPJ = re.compile(r"(?<![\d.])(\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}|\d{14})(?![\d])")
_CPF = re.compile(r"(?<![\d.])(\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})(?![\d])")
_CARD = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+55[ .-]?)?\(?\d{2}\)?[ .-]?9?[ .]?\d{4}[ .-]\d{4}"  # Brazil
    r"|\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){1,2}(?:[ .-]?\d{2,4}){2,3}"  # international, with +
    r")(?![\w])")
PLACEHOLDERS = {"email": "[EMAIL]", "cnpj": "[CNPJ]", "cpf": "[CPF]", "card": "[CARD]", "phone": "[PHONE]"}


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def valid_cpf(s: str) -> bool:
    d = [int(c) for c in _digits(s)]
    if len(d) != 11 or len(set(d)) == 1:
        return False
    for n in (9, 10):
        check = sum(d[i] * (n + 1 - i) for i in range(n)) * 10 % 11 % 10
        if check != d[n]:
            return False
    return True


def valid_cnpj(s: str) -> bool:
    d = [int(c) for c in _digits(s)]
    if len(d) != 14 or len(set(d)) == 1:
        return False
    for n, weights in ((12, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]), (13, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])):
        r = sum(a * b for a, b in zip(d[:n], weights)) % 11
        if (0 if r < 2 else 11 - r) != d[n]:
            return False
    return True


def luhn_ok(s: str) -> bool:
    d = [int(c) for c in _digits(s)][::-1]
    if not 13 <= len(d) <= 19:
        return False
    total = sum(d[0::2]) + sum(sum(divmod(2 * x, 10)) for x in d[1::2])
    return total % 10 == 0


def scrub_pii(text: str) -> tuple[str, int]:
    """``text`` with e-mails, CPF/CNPJ, card numbers and phone numbers replaced by placeholders, and the number
    of replacements."""
    if not text:
        return text, 0
    count = 0

    def sub(rx: re.Pattern, kind: str, check=None) -> None:
        nonlocal text, count

        def repl(m: re.Match) -> str:
            nonlocal count
            s = m.group(0)
            if check is not None and not check(s):
                return s
            count += 1
            return PLACEHOLDERS[kind]

        text = rx.sub(repl, text)

    sub(_EMAIL, "email")
    if any(c.isdigit() for c in text):
        sub(_CNPJ, "cnpj", lambda s: not s.isdigit() or valid_cnpj(s))
        sub(_CPF, "cpf", lambda s: not s.isdigit() or valid_cpf(s))
        sub(_CARD, "card", luhn_ok)
        sub(_PHONE, "phone", lambda s: len(_digits(s)) >= 8)
    return text, count


def scrub_messages(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """:func:`scrub_pii` on every turn; returns new messages and the number of replacements."""
    out, total = [], 0
    for m in messages:
        text, n = scrub_pii(m["content"])
        total += n
        out.append({**m, "content": text} if n else m)
    return out, total


def pii_preview(records: Iterable[Any], limit: int = 20) -> list[tuple[str, str]]:
    """Up to ``limit`` ``(before, after)`` pairs of turns that PII scrubbing would change. ``records`` are
    :class:`~.records.Record` objects or ``{"messages": [...]}`` dicts."""
    out: list[tuple[str, str]] = []
    for r in records:
        msgs = r.get("messages", []) if isinstance(r, dict) else getattr(r, "messages", [])
        for m in msgs:
            after, n = scrub_pii(str(m.get("content", "")))
            if n:
                out.append((m["content"], after))
                if len(out) >= limit:
                    return out
    return out


_PUNCT = bytes(c for c in range(128) if not (chr(c).isalnum() or chr(c).isspace()))
# ASCII upper → lower, ASCII whitespace and punctuation → space, in one table
_LOWER_WS = bytes.maketrans(bytes(range(65, 91)) + b"\t\n\r\x0b\x0c" + _PUNCT,
                            bytes(range(97, 123)) + b" " * (5 + len(_PUNCT)))


def text_keys(text: str) -> tuple[bytes, bytes]:
    """``(words, squeezed)`` of ``text`` as UTF-8, lower-cased (ASCII letters; accented capitals are rare enough
    mid-text), ASCII punctuation as spaces: ``words`` keeps spaces between words (keyword matching),
    ``squeezed`` has no whitespace (the near-duplicate key). Two C-level table passes, no per-word work."""
    words = text.encode("utf-8", "surrogatepass").translate(_LOWER_WS)
    return words, words.replace(b" ", b"")


#: Keyword lists for the default domain tags (lower-case substrings; first match by count wins).
DEFAULT_DOMAINS: dict[str, tuple[str, ...]] = {
    "technical": ("python", "code", "error", "bug", "install", "installed", "server", "linux", "api", "sql",
                  "function", "import", "virtualenv",
                  "código", "erro", "instalar", "servidor", "função", "programa"),
    "support": ("help", "problem", "not working", "refund", "order", "account", "password", "support",
                "ajuda", "problema", "não funciona", "reembolso", "pedido", "conta", "senha", "suporte"),
    "legal": ("law", "contract", "court", "lawyer", "rights", "lgpd", "gdpr", "license",
              "lei", "contrato", "tribunal", "advogado", "direitos", "licença", "processo judicial"),
}

#: Domain tags look at this many bytes of a conversation's text.
DOMAIN_BYTES = 320


class DomainTagger:
    """Tags text with the domain whose keywords occur most (distinct keywords; ties: the first domain);
    ``general`` when none. Single words are matched through a set intersection, phrases as substrings."""

    def __init__(self, domains: dict[str, tuple[str, ...]]) -> None:
        self.sets: list[tuple[str, frozenset[bytes]]] = []
        self.phrases: list[tuple[str, tuple[bytes, ...]]] = []
        for name, kws in domains.items():
            enc = [b" ".join(text_keys(k)[0].split()) for k in kws]
            self.sets.append((name, frozenset(w for w in enc if w and b" " not in w)))
            self.phrases.append((name, tuple(w for w in enc if b" " in w)))
        self.all_words = frozenset().union(*(kw for _n, kw in self.sets))
        self.flat_phrases = [(name, p) for name, ps in self.phrases for p in ps]

    def __call__(self, words: bytes) -> str:
        """The domain for ``words`` (the first value of :func:`text_keys`), judged on its first
        :data:`DOMAIN_BYTES` bytes: the opening question sets the topic, and the cost stays bounded."""
        words = words[:DOMAIN_BYTES]
        hits = self.all_words.intersection(words.split())
        phrase_hits = [name for name, p in self.flat_phrases if p in words] if self.flat_phrases else ()
        if not hits and not phrase_hits:
            return "general"
        best, score = "general", 0
        for name, kw in self.sets:
            n = len(kw & hits) if hits else 0
            if phrase_hits:
                n += phrase_hits.count(name)
            if n > score:
                best, score = name, n
        return best


def load_domains(path: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """Domain → keywords (see the module docstring for where they come from)."""
    from ..settings import Settings, get_settings

    if path is None:
        settings = get_settings()
        value = Settings._file_values(settings.home).get("dataset_domains")
        if value is not None:
            return _check_domains(value, str(settings.settings_file))
        default_file = settings.datasets_dir / "domains.json"
        if not default_file.exists():
            return dict(DEFAULT_DOMAINS)
        path = default_file
    p = Path(path).expanduser()
    try:
        value = json.loads(p.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise DatasetError(_("Cannot read the domain keywords {path}: {error}").format(path=p, error=exc.strerror),
                           hint=_("Check the path.")) from exc
    except ValueError as exc:
        raise DatasetError(_("{path}: invalid JSON: {error}").format(path=p, error=exc),
                           hint=_('Write it as {"domain": ["keyword", ...], ...}.')) from exc
    return _check_domains(value, str(p))


def _check_domains(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(w, str) for w in v)
            for k, v in value.items()):
        raise DatasetError(_("{where}: the domain keywords must map each domain to a list of words.").format(
            where=where), hint=_('Write it as {"domain": ["keyword", ...], ...}.'))
    return {k: tuple(w.lower() for w in v if w.strip()) for k, v in value.items() if k != "general" and v}
