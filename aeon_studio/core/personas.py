"""Personas: built-ins (técnico 0.2, casual 0.7, formal 0.3) and the user's own.

Built-ins live in code; an edit of a built-in is stored under the same key and
``reset`` deletes it. Custom personas are rows of the same table.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from sqlmodel import select

from .errors import NotFoundError, ValidationError
from .i18n import N_, _
from .storage import Database, get_database
from .storage.backend_tables import PersonaBackendRow
from .storage.routing_tables import PersonaRoutingRow
from .storage.tables import PersonaRow, utcnow

#: Where a persona's replies can come from: the llama.cpp engine in this process, an Ollama server, or any server
#: that speaks OpenAI's ``/v1/chat/completions``.
BACKEND_KINDS = ("embedded", "ollama", "openai")


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` (a name or an IP address) is this computer."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """The base URL of a chat server, normalised (no trailing slash); ``ValueError`` says what is wrong.

    Only two kinds are accepted: an address on this computer (``http://127.0.0.1:11434``) or an encrypted one
    (``https://…``). Plain http to another computer would send every message, and the API key, in clear text.
    """
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(_("'{url}' is not a web address; write it like http://127.0.0.1:11434 or "
                           "https://api.example.com/v1").format(url=text))
    if parts.username or parts.password:
        raise ValueError(_("'{url}' has a user name or password in it; remove it and set the API key instead (it "
                           "is kept in the system keyring)").format(url=text))
    if parts.query or parts.fragment:
        raise ValueError(_("'{url}' has a '?' or '#' part; give only the server's base address").format(url=text))
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(_("'{url}' would send your messages unencrypted to another computer; use https://, or an "
                           "address on this computer (127.0.0.1 or localhost)").format(url=text))
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


class BackendConfig(BaseModel):
    """One chat backend of a persona: what kind, which model on that server, and where the server is."""

    kind: Literal["embedded", "ollama", "openai"] = "embedded"
    #: The server's model name (``qwen2.5:1.5b``, ``llama-3.1-8b-instant``); empty for embedded, which answers
    #: with the model picked in the chat.
    model: str = ""
    #: The server's base URL; empty for embedded, and for ollama means Ollama's own (the ``ollama_host`` setting,
    #: else ``OLLAMA_HOST``).
    url: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, v: str, info: ValidationInfo) -> str:
        if not v.strip():
            return ""
        if info.data.get("kind") == "ollama" and "://" not in v:
            from .ollama.host import parse_host

            v = parse_host(v)  # "127.0.0.1:11434", "localhost": read as Ollama reads OLLAMA_HOST
        return check_base_url(v)

    @model_validator(mode="after")
    def _complete(self) -> "BackendConfig":
        self.model = self.model.strip()
        if self.kind == "embedded" and (self.model or self.url):
            raise ValueError(_("the embedded engine answers with the model picked in the chat; it takes no model "
                               "name or URL"))
        if self.kind != "embedded" and not self.model:
            raise ValueError(_("the {kind} backend needs a model name (e.g. {example})").format(
                kind=self.kind, example="qwen2.5:1.5b" if self.kind == "ollama" else "llama-3.1-8b-instant"))
        if self.kind == "openai" and not self.url:
            raise ValueError(_("the openai backend needs the server's URL (e.g. https://api.groq.com/openai/v1)"))
        return self

    def effective_url(self) -> str:
        """The URL prompts go to ('' for embedded); Ollama's default is the ``ollama_host`` setting or ``OLLAMA_HOST``."""
        if self.kind == "ollama" and not self.url:
            from .ollama.host import configured_base_url

            return configured_base_url().rstrip("/")
        return self.url

    @property
    def is_local(self) -> bool:
        """Whether prompts sent to this backend stay on this computer."""
        return self.kind == "embedded" or is_loopback_host(urlsplit(self.effective_url()).hostname)

    def label(self) -> str:
        """Short description for lists and the CLI, e.g. ``ollama qwen2.5:1.5b @ http://127.0.0.1:11434``."""
        if self.kind == "embedded":
            return "embedded"
        return f"{self.kind} {self.model} @ {self.effective_url()}"


class Persona(BaseModel):
    key: str
    name: str
    description: str = ""
    system_prompt: str = ""
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    top_p: float = Field(0.95, gt=0.0, le=1.0)
    max_tokens: int = Field(512, ge=1, le=32768)
    adapter_id: str | None = None
    memory_enabled: bool = True
    #: Chat backends, the first answering and the rest tried in order when it fails; empty: the embedded engine.
    backends: list[BackendConfig] = Field(default_factory=list)
    #: Recalled memory notes go only into prompts that stay on this computer.
    memory_local_only: bool = True
    #: Datasets (by name) added to this persona's one-click retrain, besides its chats and the identity set.
    datasets: list[str] = Field(default_factory=list)
    #: Each user message picks this persona's adapter for its domain (:mod:`.chat.routing`).
    route_by_domain: bool = False
    #: Domain → adapter id, e.g. ``{"technical": "tecnico-v3"}``; ``general`` is the fallback before ``adapter_id``.
    domain_adapters: dict[str, str] = Field(default_factory=dict)
    builtin: bool = False
    customized: bool = False  # a built-in the user edited

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", v):
            raise ValueError("use 1-40 lowercase letters, digits, '-' or '_' (e.g. 'suporte')")
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v.strip()

    @field_validator("datasets", mode="before")
    @classmethod
    def _datasets(cls, v):
        return parse_dataset_names(v)

    @field_validator("backends")
    @classmethod
    def _backends(cls, v: list[BackendConfig]) -> list[BackendConfig]:
        seen = set()
        for b in v:
            key = (b.kind, b.model, b.url)
            if key in seen:
                raise ValueError(_("{backend} is listed twice").format(backend=b.label()))
            seen.add(key)
        return v

    @property
    def sends_off_machine(self) -> bool:
        """Whether any of this persona's backends may send its messages to another computer."""
        return any(not b.is_local for b in self.backends)


def parse_dataset_names(value) -> list[str]:
    """``"a, b,,a"`` (or a list) → ``["a", "b"]``: the comma-separated form of the CLI and the Persona tab."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    out: list[str] = []
    for name in value:
        name = str(name).strip()
        if name and name not in out:
            out.append(name)
    return out


BUILTINS: dict[str, Persona] = {
    p.key: p
    for p in (
        Persona(
            key="tecnico",
            name=N_("Técnico"),
            description=N_("Precise, technical answers."),
            system_prompt=N_(
                "You are Aeon, a precise technical assistant. Answer accurately and concisely, "
                "use correct terminology, show steps or code when useful, and say so when you are not sure."
            ),
            temperature=0.2,
            top_p=0.9,
            max_tokens=512,
            builtin=True,
        ),
        Persona(
            key="casual",
            name=N_("Casual"),
            description=N_("Friendly, informal conversation."),
            system_prompt=N_(
                "You are Aeon, a friendly personal assistant. Talk in a relaxed, informal and warm way, "
                "keep answers short and natural, and answer in the user's language."
            ),
            temperature=0.7,
            top_p=0.95,
            max_tokens=512,
            builtin=True,
        ),
        Persona(
            key="formal",
            name=N_("Formal"),
            description=N_("Polite, business-style replies."),
            system_prompt=N_(
                "You are Aeon, a professional assistant. Reply in a formal, courteous business register, "
                "well structured and objective."
            ),
            temperature=0.3,
            top_p=0.9,
            max_tokens=512,
            builtin=True,
        ),
    )
}


def _translated(p: Persona) -> Persona:
    return p.model_copy(update={
        "name": _(p.name), "description": _(p.description), "system_prompt": _(p.system_prompt)})


def _from_row(row: PersonaRow, backend: PersonaBackendRow | None = None,
              routing: PersonaRoutingRow | None = None) -> Persona:
    builtin = row.key in BUILTINS
    return Persona(
        key=row.key, name=row.name, description=row.description, system_prompt=row.system_prompt,
        temperature=row.temperature, top_p=row.top_p, max_tokens=row.max_tokens, adapter_id=row.adapter_id,
        memory_enabled=row.memory_enabled, datasets=list(row.datasets or []), builtin=builtin,
        customized=builtin, backends=list(backend.backends) if backend else [],
        memory_local_only=backend.memory_local_only if backend else True,
        route_by_domain=routing.route_by_domain if routing else False,
        domain_adapters=dict(routing.domain_adapters or {}) if routing else {},
    )


class PersonaStore:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db or get_database()

    def list(self) -> list[Persona]:
        with self.db.session() as s:
            rows = {r.key: r for r in s.exec(select(PersonaRow)).all()}
            backends = {r.persona_key: r for r in s.exec(select(PersonaBackendRow)).all()}
            routes = {r.persona_key: r for r in s.exec(select(PersonaRoutingRow)).all()}
        out = [(_from_row(rows.pop(k), backends.get(k), routes.get(k)) if k in rows else _translated(p))
               for k, p in BUILTINS.items()]
        out += sorted((_from_row(r, backends.get(r.key), routes.get(r.key)) for r in rows.values()),
                      key=lambda p: p.name.lower())
        return out

    def get(self, key: str) -> Persona:
        with self.db.session() as s:
            row = s.get(PersonaRow, key)
            backend = s.get(PersonaBackendRow, key)
            routing = s.get(PersonaRoutingRow, key)
        if row is not None:
            return _from_row(row, backend, routing)
        if key in BUILTINS:
            return _translated(BUILTINS[key])
        raise NotFoundError(
            _("No persona called '{key}'.").format(key=key),
            hint=_("Known personas: {keys}.").format(keys=", ".join(p.key for p in self.list())),
        )

    def save(self, persona: Persona) -> Persona:
        """Create or update (a built-in's edit is stored as an override)."""
        with self.db.session() as s:
            row = s.get(PersonaRow, persona.key) or PersonaRow(key=persona.key, name=persona.name)
            for field in ("name", "description", "system_prompt", "temperature", "top_p", "max_tokens",
                          "adapter_id", "memory_enabled"):
                setattr(row, field, getattr(persona, field))
            row.datasets = list(persona.datasets)
            row.builtin = persona.key in BUILTINS
            row.updated_at = utcnow()
            s.add(row)
            # Same transaction: a persona is never stored with half of its settings.
            backend = s.get(PersonaBackendRow, persona.key) or PersonaBackendRow(persona_key=persona.key)
            backend.backends = [b.model_dump() for b in persona.backends]
            backend.memory_local_only = persona.memory_local_only
            backend.updated_at = utcnow()
            s.add(backend)
            routing = s.get(PersonaRoutingRow, persona.key) or PersonaRoutingRow(persona_key=persona.key)
            routing.route_by_domain = persona.route_by_domain
            routing.domain_adapters = dict(persona.domain_adapters)
            routing.updated_at = utcnow()
            s.add(routing)
        self.db.changes.emit("personas")
        return self.get(persona.key)

    def add(self, persona: Persona) -> Persona:
        if persona.key in BUILTINS or self._row_exists(persona.key):
            raise ValidationError(
                _("A persona called '{key}' already exists.").format(key=persona.key),
                hint=_("Choose another key, or edit the existing persona."),
            )
        self.check_datasets(persona.datasets)
        return self.save(persona)

    def update(self, key: str, **changes) -> Persona:
        current = self.get(key)
        try:
            updated = Persona.model_validate({**current.model_dump(), **changes})
        except Exception as exc:
            raise ValidationError(_("Invalid persona settings: {error}").format(error=_pydantic_message(exc))) from exc
        if "datasets" in changes:
            # Only names being added must exist: a dataset deleted after it was named does not block other edits.
            self.check_datasets([d for d in updated.datasets if d not in current.datasets])
        return self.save(updated)

    def check_datasets(self, names: list[str]) -> None:
        """Raise :class:`ValidationError` naming the first dataset of ``names`` that does not exist."""
        if not names:
            return
        from .datasets import DatasetStore

        datasets = DatasetStore(self.db)
        for name in names:
            if not datasets.exists(name):
                known = ", ".join(d["name"] for d in datasets.list()) or _("none yet")
                raise ValidationError(
                    _("Training datasets: there is no dataset called '{name}'.").format(name=name),
                    hint=_("Known datasets: {names}. Create it first ('aeon-studio dataset …' or the Datasets "
                           "tab), or remove it from the persona's list.").format(names=known),
                )

    def remove(self, key: str) -> None:
        if key in BUILTINS:
            raise ValidationError(
                _("'{key}' is a built-in persona and cannot be removed.").format(key=key),
                hint=_("Use reset to restore its original settings."),
            )
        with self.db.session() as s:
            row = s.get(PersonaRow, key)
            if row is None:
                raise NotFoundError(_("No persona called '{key}'.").format(key=key))
            s.delete(row)
            _delete_backends(s, key)
        self.db.changes.emit("personas")

    def reset(self, key: str) -> Persona:
        if key not in BUILTINS:
            raise ValidationError(_("Only built-in personas can be reset; '{key}' is custom.").format(key=key))
        with self.db.session() as s:
            row = s.get(PersonaRow, key)
            if row is not None:
                s.delete(row)
            _delete_backends(s, key)
        self.db.changes.emit("personas")
        return self.get(key)

    def _row_exists(self, key: str) -> bool:
        with self.db.session() as s:
            return s.get(PersonaRow, key) is not None


def _delete_backends(session, key: str) -> None:
    for table in (PersonaBackendRow, PersonaRoutingRow):
        row = session.get(table, key)
        if row is not None:
            session.delete(row)


def _pydantic_message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        # "backends.0.url: …" names the field; pydantic's "Value error, " prefix says nothing to a user.
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                         for e in errors())
    return str(exc)


def make_persona(**fields) -> Persona:
    """Build a persona from user input, turning pydantic errors into a :class:`ValidationError`."""
    try:
        return Persona.model_validate(fields)
    except Exception as exc:
        raise ValidationError(_("Invalid persona: {error}").format(error=_pydantic_message(exc))) from exc
