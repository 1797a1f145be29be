"""The text memory injects into a prompt, and how to recognise (and remove) it.

Recalled notes are the model's input, never something the user typed or the assistant earned, so they must
never reach training data. The chat prepends them to the newest user turn (see :mod:`.hook`); the dataset
builders use :func:`strip_notes` and :func:`mentions_notes` to keep them out.
"""

from __future__ import annotations

import re

#: Prompt text for the model (English for every UI language: it is the model's input, not UI).
#: Short on purpose: every token of it is evaluated again on each turn that recalls something.
NOTE_HEADER = "Memory (from earlier chats and documents):"
#: Marks a recalled past exchange inside a note.
EXCHANGE_MARK = "(earlier chat)"

_NOTE_BLOCK = re.compile(rf"^\s*{re.escape(NOTE_HEADER)}\n(?:- .*\n?)*\n*", re.MULTILINE)
_ECHO = re.compile(rf"{re.escape(NOTE_HEADER)}|\(earlier chat[:)]", re.IGNORECASE)


def strip_notes(text: str) -> str:
    """``text`` without a leading memory note (what the user typed, as stored)."""
    return _NOTE_BLOCK.sub("", text, count=1) if NOTE_HEADER in text else text


def mentions_notes(text: str) -> bool:
    """True when a reply repeats the memory note's wording (the model copying its prompt)."""
    return bool(_ECHO.search(text))
