"""Personas: built-ins (técnico 0.2, casual 0.7, formal 0.3) and the user's own.

Built-ins live in code; an edit of a built-in is stored under the same key and
``reset`` deletes it. Custom personas are rows of the same table.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator
from sqlmodel import select

from .errors import NotFoundError, ValidationError
from .i18n import N_, _
from .storage import Database, get_database
from .storage.tables import PersonaRow, utcnow


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
    #: Datasets (by name) added to this persona's one-click retrain, besides its chats and the identity set.
    datasets: list[str] = Field(default_factory=list)
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


def _from_row(row: PersonaRow) -> Persona:
    builtin = row.key in BUILTINS
    return Persona(
        key=row.key, name=row.name, description=row.description, system_prompt=row.system_prompt,
        temperature=row.temperature, top_p=row.top_p, max_tokens=row.max_tokens, adapter_id=row.adapter_id,
        memory_enabled=row.memory_enabled, datasets=list(row.datasets or []), builtin=builtin,
        customized=builtin,
    )


class PersonaStore:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db or get_database()

    def list(self) -> list[Persona]:
        with self.db.session() as s:
            rows = {r.key: r for r in s.exec(select(PersonaRow)).all()}
        out = [(_from_row(rows.pop(k)) if k in rows else _translated(p)) for k, p in BUILTINS.items()]
        out += sorted((_from_row(r) for r in rows.values()), key=lambda p: p.name.lower())
        return out

    def get(self, key: str) -> Persona:
        with self.db.session() as s:
            row = s.get(PersonaRow, key)
        if row is not None:
            return _from_row(row)
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
        self.db.changes.emit("personas")

    def reset(self, key: str) -> Persona:
        if key not in BUILTINS:
            raise ValidationError(_("Only built-in personas can be reset; '{key}' is custom.").format(key=key))
        with self.db.session() as s:
            row = s.get(PersonaRow, key)
            if row is not None:
                s.delete(row)
        self.db.changes.emit("personas")
        return self.get(key)

    def _row_exists(self, key: str) -> bool:
        with self.db.session() as s:
            return s.get(PersonaRow, key) is not None


def _pydantic_message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors())
    return str(exc)


def make_persona(**fields) -> Persona:
    """Build a persona from user input, turning pydantic errors into a :class:`ValidationError`."""
    try:
        return Persona.model_validate(fields)
    except Exception as exc:
        raise ValidationError(_("Invalid persona: {error}").format(error=_pydantic_message(exc))) from exc
