"""Domain routing: a persona with ``route_by_domain`` answers each user message with its adapter for the
message's domain.

Order of choice: the persona's adapter for the domain (``domain_adapters[domain]``), then its general adapter
(``domain_adapters["general"]``, else the adapter bound to the persona), then the base model. An adapter whose
LoRA GGUF cannot be found or made is skipped with a notice, so a deleted version never stops the chat.

The switch goes through :meth:`.engine.ChatEngine.set_lora` (llama.cpp's LoRA adapter API): the base model stays
loaded and each adapter is read once, so changing domain between two messages costs milliseconds
(``bench/adapter_switch.py``), not a model load.

The domain classifier (:mod:`aeon_studio.core.domains`) is passed in by the caller, so this module knows nothing
of datasets or stemmers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AeonError, ValidationError
from ..i18n import _
from ..personas import Persona, PersonaStore

log = logging.getLogger(__name__)

#: ``text -> (domain, explanation)``; :func:`aeon_studio.core.domains.classify` wrapped by the composition point.
Classifier = Callable[[str], tuple[str, str]]
#: Adapter id → its LoRA GGUF (the chat service's adapter resolver).
Resolver = Callable[[str], Path | None]

#: Where the chosen adapter came from (stored in the reply's meta).
SOURCES = ("domain", "general", "persona", "base")


@dataclass
class Route:
    """The adapter a message is answered with, and why.

    Attributes:
        domain: the message's domain.
        adapter_id: the chosen adapter, None for the base model.
        lora_path: its LoRA GGUF (None for the base model).
        source: ``domain`` (the domain's own adapter), ``general``, ``persona`` (the persona's bound adapter) or
            ``base``.
        why: what decided the domain (keywords, nearest example).
        notices: adapters that were skipped and why.
    """

    domain: str
    adapter_id: str | None
    lora_path: Path | None
    source: str
    why: str = ""
    notices: list[str] = field(default_factory=list)

    def meta(self) -> dict[str, Any]:
        """What the reply stores: ``domain`` and ``route`` (adapter, source, why)."""
        return {"domain": self.domain,
                "route": {"adapter": self.adapter_id, "source": self.source, "why": self.why}}


def candidates(persona: Persona, domain: str) -> list[tuple[str, str]]:
    """``[(source, adapter_id), …]`` to try in order for ``domain`` (each adapter once)."""
    out: list[tuple[str, str]] = []
    for source, aid in (("domain", persona.domain_adapters.get(domain)),
                        ("general", persona.domain_adapters.get("general")),
                        ("persona", persona.adapter_id)):
        if aid and aid not in (a for _s, a in out):
            out.append((source, aid))
    return out


def route(persona: Persona, text: str, *, classify: Classifier, resolve: Resolver) -> Route:
    """The route of one user message (see the module docstring for the order)."""
    domain, why = classify(text)
    notices: list[str] = []
    for source, aid in candidates(persona, domain):
        try:
            path = resolve(aid)
        except AeonError as err:  # a deleted or broken version: the next choice answers
            log.warning("routing: adapter %s skipped: %s", aid, err)
            notices.append(_("The adapter {adapter} could not be used ({error}); another one answered.").format(
                adapter=aid, error=err.message))
            continue
        if path is not None:
            return Route(domain, aid, path, source, why, notices)
    return Route(domain, None, None, "base", why, notices)


def set_routing(store: PersonaStore, persona_key: str, *, enabled: bool | None = None,
                mapping: dict[str, str | None] | None = None, known_domains: list[str],
                adapter_exists: Callable[[str], bool] | None = None) -> Persona:
    """Turn routing on/off for a persona and change its domain → adapter map (None or '' removes a domain).

    Everything is checked before anything is stored.

    Raises:
        NotFoundError: no such persona.
        ValidationError: an unknown domain or adapter (the message names it and lists the known ones).
    """
    persona = store.get(persona_key)
    adapters = dict(persona.domain_adapters)
    for domain, aid in (mapping or {}).items():
        if domain not in known_domains:
            raise ValidationError(_("Unknown domain '{domain}' in the adapter map of persona '{persona}'.").format(
                domain=domain, persona=persona_key), hint=_("Known domains: {names}; create one with 'aeon-studio "
                                                            "domains set'.").format(names=", ".join(known_domains)))
        if not aid:
            adapters.pop(domain, None)
            continue
        if adapter_exists is not None and not adapter_exists(aid):
            raise ValidationError(_("No adapter called '{adapter}' (for domain '{domain}').").format(
                adapter=aid, domain=domain), hint=_("See 'aeon-studio adapters list'."))
        adapters[domain] = aid
    changes: dict[str, Any] = {"domain_adapters": adapters}
    if enabled is not None:
        changes["route_by_domain"] = enabled
    return store.update(persona_key, **changes)


def parse_mapping(items: list[str]) -> dict[str, str | None]:
    """``["technical=tec-v3", "legal="]`` → ``{"technical": "tec-v3", "legal": None}``.

    Raises:
        ValidationError: an item without '='.
    """
    out: dict[str, str | None] = {}
    for item in items:
        domain, sep, aid = item.partition("=")
        if not sep or not domain.strip():
            raise ValidationError(_("'{item}' is not DOMAIN=ADAPTER.").format(item=item),
                                  hint=_("Write e.g. technical=tecnico-v3 (nothing after '=' removes it)."))
        out[domain.strip()] = aid.strip() or None
    return out
