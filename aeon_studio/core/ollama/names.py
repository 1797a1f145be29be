"""Ollama model names, checked with Ollama's own rules before anything is written or sent.

Follows ``ParseNameBare`` and ``isValidPart`` in github.com/ollama/ollama (types/model/name.go): a
name is ``[host/][namespace/]model[:tag]``; the tag is cut at the last ``:`` only when it comes after
the last ``/``; every part present must be 1–80 bytes (the host 1–350), start with an ASCII letter,
digit or ``_``, and continue with letters, digits, ``_`` and ``-``, plus ``.`` (not in a namespace)
and ``:`` (only in a host). Missing parts take Ollama's defaults (``registry.ollama.ai``,
``library``, ``latest``), so ``aeon``, ``aeon:v2``, ``user/aeon`` and ``_private`` are all valid.
"""

from __future__ import annotations

from ..errors import AeonError
from ..i18n import _, ngettext

#: Ollama's limits, in bytes of UTF-8 (Go's ``len``).
MAX_BYTES = {"host": 350, "namespace": 80, "model": 80, "tag": 80}


class OllamaNameError(AeonError):
    """A model name Ollama would refuse; the message names the rule it breaks."""


def _part_label(kind: str) -> str:
    return {"host": _("host"), "namespace": _("namespace"), "model": _("model"), "tag": _("tag")}[kind]


def _split(name: str) -> list[tuple[str, str]]:
    """The parts Ollama's ``ParseNameBare`` finds, as ``(kind, text)``, left to right."""
    parts: list[tuple[str, str]] = []
    rest = name
    if rest.rfind(":") > rest.rfind("/"):  # "/" is not allowed in a tag, so a later ":" starts it
        rest, tag = rest.rsplit(":", 1)
        parts.append(("tag", tag))
    for kind in ("model", "namespace"):
        if "/" not in rest:
            parts.append((kind, rest))
            return parts[::-1]
        rest, part = rest.rsplit("/", 1)
        parts.append((kind, part))
    # Whatever is left is the registry host (with an optional scheme, as Ollama allows for pulls).
    parts.append(("host", rest.split("://", 1)[1] if "://" in rest else rest))
    return parts[::-1]


def _check_part(name: str, kind: str, part: str) -> None:
    label = _part_label(kind)
    if not part:
        raise OllamaNameError(
            _("'{name}' is not a valid Ollama model name: its {part} is empty.").format(name=name, part=label),
            hint=_("Write something on both sides of '/' and ':', e.g. user/aeon:v2."))
    first = part[0]
    if not (first.isascii() and (first.isalnum() or first == "_")):
        raise OllamaNameError(
            _("'{name}' is not a valid Ollama model name: its {part} '{text}' starts with '{char}'; it must "
              "start with a letter, a digit or '_'.").format(name=name, part=label, text=part, char=first),
            hint=_("Start it with a letter, e.g. aeon-casual."))
    allowed = "_-" + ("" if kind == "namespace" else ".") + (":" if kind == "host" else "")
    for index, char in enumerate(part[1:], start=2):
        if not ((char.isascii() and char.isalnum()) or char in allowed):
            raise OllamaNameError(
                _("'{name}' is not a valid Ollama model name: character {index} of its {part} '{text}' is "
                  "'{char}', which Ollama does not allow there.").format(
                    name=name, index=index, part=label, text=part, char=char),
                hint=_("Use only letters (without accents), digits, '-', '_' and '.' (no '.' in a namespace), "
                       "e.g. user/aeon-casual:v2."))
    # Checked after the characters: a valid part is ASCII, so its byte length (Go's len) is its length.
    size = len(part.encode("utf-8"))
    if size > MAX_BYTES[kind]:
        raise OllamaNameError(
            ngettext("'{name}' is not a valid Ollama model name: its {part} '{text}' is {size} character long; "
                     "Ollama allows at most {limit}.",
                     "'{name}' is not a valid Ollama model name: its {part} '{text}' is {size} characters long; "
                     "Ollama allows at most {limit}.", size).format(name=name, part=label, text=part, size=size,
                                                                    limit=MAX_BYTES[kind]),
            hint=_("Use a shorter name."))


def check_model_name(name: str) -> str:
    """Return ``name`` when Ollama accepts it as a model name.

    Args:
        name: A name such as ``aeon``, ``aeon:v2``, ``user/aeon`` or ``host/user/aeon:v2``.

    Returns:
        ``name`` unchanged.

    Raises:
        OllamaNameError: The name breaks one of Ollama's rules; the message says which part and which rule.
    """
    if not name or not name.strip():
        raise OllamaNameError(_("The Ollama model name is empty."), hint=_("Give a name such as aeon-casual."))
    for kind, part in _split(name):
        _check_part(name, kind, part)
    return name
