"""JSON syntax errors told the way a person fixes them: line, column, what is wrong, and the text around it.

``json`` reports ``Unterminated string starting at: line 1 column 18 (char 17)``; its ``msg`` alone
("Unterminated string starting at") is cut before the position. :func:`json_error` gives the file line and
column (for a JSONL line, for an array item or for a whole file, whatever ``first_line`` the parsed text started
at), the reason in the user's language and a short excerpt of the offending text.
"""

from __future__ import annotations

import json

from ...i18n import N_, _

#: ``json``'s messages, translated where shown.
_REASONS = {
    "Expecting value": N_("a value was expected"),
    "Expecting ',' delimiter": N_("a ',' is missing"),
    "Expecting ':' delimiter": N_("a ':' is missing"),
    "Expecting property name enclosed in double quotes": N_("a key in double quotes was expected (no trailing "
                                                            "comma, no single quotes)"),
    "Unterminated string starting at": N_("a string is not closed (a missing '\"')"),
    "Invalid control character at": N_("a line break or control character inside a string (write it as \\n)"),
    "Invalid \\escape": N_("an invalid escape sequence (a lone '\\')"),
    "Invalid \\uXXXX escape": N_("an invalid \\u escape"),
    "Extra data": N_("text after the end of the JSON value (one object per line?)"),
}
#: Characters of the offending text shown on each side of the error position.
EXCERPT_CHARS = 30


def excerpt(text: str, pos: int, width: int = EXCERPT_CHARS) -> str:
    """The text around ``pos`` on its line, at most ``width`` characters each side, with ``…`` where cut."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    a, b = max(start, pos - width), min(end, pos + width)
    shown = text[a:b].replace("\t", " ").rstrip("\r")
    return ("…" if a > start else "") + shown + ("…" if b < end else "")


def json_error(exc: ValueError, text: str, *, first_line: int = 1, first_col: int = 1) -> str:
    """``invalid JSON at line L, column C: <reason>; near: <excerpt>`` for ``exc`` raised by ``json.loads(text)``.

    ``first_line``/``first_col``: where ``text`` starts in the file (a JSONL line: its line number; an array
    item: the line and column of its first character), so the position is the file's."""
    if not isinstance(exc, json.JSONDecodeError):
        return _("invalid JSON: {error}").format(error=exc)
    if exc.msg == "Invalid control character at" and not text[exc.pos:].strip():
        try:  # the line end of a JSONL line inside a string that is not closed: say that
            json.loads(text.rstrip())
        except json.JSONDecodeError as again:
            exc = again
    line = first_line + exc.lineno - 1
    col = exc.colno + (first_col - 1 if exc.lineno == 1 else 0)
    reason = _REASONS.get(exc.msg)
    reason = _(reason) if reason else exc.msg
    near = excerpt(text, exc.pos).strip() or _("(the end of the text)")
    return _("invalid JSON at line {line}, column {col}: {reason}; near: {excerpt}").format(
        line=line, col=col, reason=reason, excerpt=near)
