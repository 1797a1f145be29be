"""A reader for Modelfiles that follows the rules of Ollama's parser (parser/parser.go), for tests.

Written from the rules, as a character-by-character reader:
- Outside a command, spaces/tabs/newlines are skipped and ``#`` starts a comment up to a newline.
- A command is ASCII letters (case-insensitive; one of Ollama's commands) ended by a space or tab;
  ``PARAMETER`` then reads a name (letters, digits, ``_``) ended by a space or tab; ``MESSAGE`` reads a role.
- The value collects characters. Spaces and tabs never end it. At each newline (``\\n`` or ``\\r``) the
  collected text, trimmed of whitespace, is tested: ``\"\"\"…\"\"\"`` (6+ chars), ``"…"`` (2+ chars) or
  anything not starting with ``"`` is complete and ends the value (quotes removed); otherwise the
  newline itself is kept and reading goes on. End of file tests the same way (incomplete → error).
- Characters other than space, tab and newlines are kept only when Go's ``strconv.IsPrint`` accepts
  them (letters, marks, numbers, punctuation, symbols, ASCII space); the others vanish.
- A command's first character is dropped the same way when Go does not print it.
- A leading byte-order mark is ignored. A file without FROM is an error.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

COMMANDS = {"from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter",
            "message", "requires"}


class ModelfileSyntaxError(ValueError):
    """The text is not a Modelfile Ollama would accept."""


@dataclass
class Parsed:
    commands: list[tuple[str, str]] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        return next((args for cmd, args in self.commands if cmd == name), None)

    def all(self, name: str) -> list[str]:
        return [args for cmd, args in self.commands if cmd == name]


def go_is_print(char: str) -> bool:
    return char == " " or unicodedata.category(char)[0] in "LMNPS"


def _complete(collected: str) -> str | None:
    """The value when ``collected`` (trimmed) is complete, else ``None``."""
    text = collected.strip(" \t\r\n")
    if text.startswith('"""'):
        return text[3:-3] if len(text) >= 6 and text.endswith('"""') else None
    if text.startswith('"'):
        return text[1:-1] if len(text) >= 2 and text.endswith('"') else None
    return text


def parse_modelfile(source: str) -> Parsed:
    """Read ``source`` the way Ollama does; raises :class:`ModelfileSyntaxError` where Ollama fails."""
    if source.startswith("\ufeff"):
        source = source[1:]
    out = Parsed()
    pos, end = 0, len(source)
    while pos < end:
        char = source[pos]
        if char in " \t\r\n":
            pos += 1
            continue
        if char == "#":
            while pos < end and source[pos] not in "\r\n":
                pos += 1
            continue
        # A command name: letters, then a space or tab. Its first character starts the name even when it is
        # one Go does not print, which is then not kept ("\u00a0FROM x" reads as "FROM x").
        if not go_is_print(char):
            pos += 1
        start = pos
        while pos < end and source[pos].isascii() and source[pos].isalpha():
            pos += 1
        word = source[start:pos].lower()
        if pos >= end:
            raise ModelfileSyntaxError(f"unexpected end of file after {word!r}")
        if source[pos] not in " \t" or word not in COMMANDS:
            raise ModelfileSyntaxError(f"invalid command {source[start:pos + 1]!r}")
        pos += 1
        name = "model" if word == "from" else word
        prefix = ""
        if word in ("parameter", "message"):
            start = pos
            ok = (lambda c: c.isascii() and (c.isalnum() or c == "_")) if word == "parameter" else \
                (lambda c: c.isascii() and c.isalpha())
            while pos < end and ok(source[pos]):
                pos += 1
            if pos >= end or source[pos] not in " \t":
                raise ModelfileSyntaxError("unexpected end of parameter or message")
            sub = source[start:pos]
            pos += 1
            if word == "parameter":
                name = sub
            else:
                if sub not in ("system", "user", "assistant"):
                    raise ModelfileSyntaxError(f"bad message role {sub!r}")
                prefix = sub + ": "
        collected: list[str] = []
        value = None
        while pos < end:
            char = source[pos]
            pos += 1
            if char in "\r\n":
                value = _complete("".join(collected))
                if value is not None:
                    break
                collected.append(char)
            elif char in " \t" or go_is_print(char):
                collected.append(char)
        else:
            value = _complete("".join(collected))
            if value is None:
                raise ModelfileSyntaxError("unexpected end of file inside a quoted value")
        out.commands.append((name, prefix + value))
    if out.first("model") is None:
        raise ModelfileSyntaxError("no FROM line")
    return out
