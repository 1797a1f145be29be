"""Modelfile values that Ollama's parser reads back to exactly the text we meant.

Ollama's parser (github.com/ollama/ollama, parser/parser.go) has no escapes. A value runs from the
command to a newline (``\\n`` or ``\\r``) at which the text read so far, with spaces, tabs and
newlines trimmed from both ends, is complete: unquoted, or ``"…"`` closed by a ``"``, or
``\"\"\"…\"\"\"`` closed by three; the quotes are then removed. Runes that Go's ``strconv.IsPrint``
rejects (controls other than tab/CR/LF, format characters such as the zero-width space and joiner,
no-break and other non-ASCII spaces, line/paragraph separators, private-use and unassigned code
points) are silently dropped. So a text is written in the first form below that cannot end early,
and refused — naming the line and the character — when none can: writing it anyway would give
Ollama a different prompt than the one the user wrote.
"""

from __future__ import annotations

import unicodedata

from ..errors import AeonError
from ..i18n import _

_TRIM = " \t\r\n"  # what Go's strings.TrimSpace can meet here (other spaces never reach the buffer)
_NEWLINES = "\r\n"


class ModelfileError(AeonError):
    """A text that Ollama's Modelfile parser would read differently; nothing was written."""


def _printable(char: str) -> bool:
    # Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    return char == " " or unicodedata.category(char)[0] in "LMNPS"


def _position(text: str, index: int) -> tuple[int, int]:
    before = text[:index].replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _ends_early(opening: str, closing: str, text: str) -> int | None:
    """Index of the first newline in ``text`` at which the parser would already see a complete value."""
    for index, char in enumerate(text):
        if char not in _NEWLINES:
            continue
        seen = (opening + text[:index]).strip(_TRIM)
        if len(seen) >= 2 * len(closing) and seen.endswith(closing) and seen.startswith(opening):
            return index
    return None


def _forms(text: str, prefer: str) -> list[tuple[str, str]]:
    """Candidate ``(opening, closing)`` quotes in order of preference."""
    bare = ("", "") if (text and not any(c in _NEWLINES for c in text) and text == text.strip(_TRIM)
                        and not text.startswith('"')) else None
    # "…" around a text starting with "" (or around a lone ") starts with three quotes: a block, not this form.
    single = ('"', '"') if not f'"{text}"'.startswith('"""') else None
    triple = ('"""', '"""')
    order = {"bare": [bare, single, triple], "quoted": [single, triple], "block": [triple]}[prefer]
    return [form for form in order if form is not None]


def modelfile_value(text: str, what: str, *, prefer: str = "block") -> str:
    """``text`` written as a Modelfile value that Ollama's parser reads back unchanged.

    Args:
        text: The system prompt, template, parameter value or path.
        what: What the text is, for the error message (e.g. "the system prompt").
        prefer: ``"block"`` (``\"\"\"…\"\"\"``), ``"quoted"`` (``"…"`` when it reads back) or
            ``"bare"`` (no quotes when it reads back).

    Returns:
        The value, quotes included, to put after the command and a space.

    Raises:
        ModelfileError: ``text`` holds a character the parser drops, or cannot be quoted at all.
    """
    for index, char in enumerate(text):
        if char not in "\t\r\n" and not _printable(char):
            line, column = _position(text, index)
            if unicodedata.category(char) == "Cn":
                # Newer than this Python's Unicode tables: Ollama may print or drop it; we cannot tell which.
                raise ModelfileError(
                    _("Cannot write {what} in a Modelfile: line {line}, column {column} holds U+{code:04X}, a "
                      "character this installation's Unicode tables ({version}) do not know, so it cannot be "
                      "checked against Ollama's Modelfile reader.").format(
                        what=what, line=line, column=column, code=ord(char), version=unicodedata.unidata_version),
                    hint=_("Remove that character (or replace it with an older one) and export again."))
            raise ModelfileError(
                _("Cannot write {what} in a Modelfile: line {line}, column {column} holds the invisible "
                  "character U+{code:04X} ({char_name}), which Ollama's Modelfile reader drops.").format(
                    what=what, line=line, column=column, code=ord(char),
                    char_name=unicodedata.name(char, "?")),
                hint=_("Remove that character (a no-break space can become a normal space) and export again."))
    stop = 0
    for opening, closing in _forms(text, prefer):
        stop = _ends_early(opening, closing, text)
        if stop is None:
            return f"{opening}{text}{closing}"
    line, _column = _position(text, stop)  # where the last form, the """ block, would end
    raise ModelfileError(
        _('Cannot write {what} in a Modelfile: on line {line}, three double quotes (""") end the line, '
          "and Ollama's Modelfile reader takes them as the end of the text.").format(what=what, line=line),
        hint=_('Change the end of that line (for example, put the quotes on the next line or add a full stop '
               "after them) and export again."))
