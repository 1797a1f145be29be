"""Template placeholders in imported text: ``{{name}}``, ``{{author}}``, ``{{ model_name }}``.

Identity datasets shared online are templates: ``"I am {{name}}, made by {{author}}."``. Imported as they are,
the assistant learns to say "{{name}}". An import detects them (:func:`placeholders_in`), shows them in the
preview, fills them from values the user gives (``--set name=Aeon``, the import dialog's fields;
:func:`fill_messages`) and warns when some stay unfilled in what would be trained on
(:func:`unfilled_warning`). Only ``{{word}}`` is a placeholder: single braces (``{x}``, JSON, code) are text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..i18n import _, ngettext
from .errors import DatasetError

#: ``{{name}}`` with optional spaces inside the braces; the name is letters, digits, ``_``, ``-`` and ``.``.
PLACEHOLDER = re.compile(r"\{\{\s*([^\W\d][\w.-]{0,63})\s*\}\}")
#: Names listed in a message at most (the report and the preview).
SHOWN_NAMES = 8


def placeholders_in(text: str) -> list[str]:
    """The placeholder names in ``text`` in order of first appearance, each once (``[]`` without ``{{``)."""
    if "{{" not in text:
        return []
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def message_placeholders(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """The placeholder names in the text of the turns, in order, each once."""
    names: dict[str, None] = {}
    for m in messages:
        content = m.get("content")
        if isinstance(content, str) and "{{" in content:
            names.update(dict.fromkeys(placeholders_in(content)))
    return list(names)


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every placeholder that has a value replaced by it; the others are left as they are."""
    if "{{" not in text or not values:
        return text
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fill_messages(messages: list[dict[str, Any]], values: Mapping[str, str]) -> list[dict[str, Any]]:
    """The turns with their placeholders filled from ``values`` (new dicts only for turns that changed)."""
    if not values:
        return messages
    out = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, str) and "{{" in content:
            filled = fill_text(content, values)
            if filled != content:
                m = {**m, "content": filled}
        out.append(m)
    return out


def parse_assignments(items: Iterable[str] | None) -> dict[str, str]:
    """``["name=Aeon", "author=Ana"]`` → ``{"name": "Aeon", "author": "Ana"}``.

    A name may be written with its braces (``{{name}}=Aeon``). Raises :class:`DatasetError` for an item without
    ``=`` or with a name that cannot be a placeholder."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if key.startswith("{{") and key.endswith("}}"):
            key = key[2:-2].strip()
        if not sep or PLACEHOLDER.fullmatch("{{" + key + "}}") is None:
            raise DatasetError(_("Bad placeholder value '{item}'.").format(item=item),
                               hint=_("Write it as NAME=VALUE, e.g. --set name=Aeon --set author=Ana."))
        out[key] = value
    return out


def braces(names: Iterable[str]) -> str:
    """``{{name}}, {{author}}`` (at most :data:`SHOWN_NAMES`, then ``…``)."""
    names = list(names)
    shown = ", ".join("{{" + n + "}}" for n in names[:SHOWN_NAMES])
    return shown + (", …" if len(names) > SHOWN_NAMES else "")


def unfilled_warning(counts: Mapping[str, int], examples: int, *, where: str = "") -> str:
    """The warning for ``examples`` kept examples that still hold the placeholders of ``counts`` (name →
    examples holding it). ``where`` (a dataset name) is named when given."""
    names = sorted(counts, key=lambda n: -counts[n])
    text = ngettext("{n} example still holds the placeholders {names}: it would be trained on literally.",
                    "{n} examples still hold the placeholders {names}: they would be trained on literally.",
                    examples).format(n=examples, names=braces(names))
    example = " ".join(f"--set {n}=…" for n in names[:2])
    hint = (_("Fill them in the import dialog or with {example}, and import again.").format(example=example)
            if not where else
            _("Fill them by importing '{name}' again with {example}.").format(name=where, example=example))
    return f"{text} {hint}"
