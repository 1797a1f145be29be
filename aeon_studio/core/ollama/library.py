"""The models Ollama already has on this computer, read from its models folder (no Ollama server needed).

Ollama keeps each model as a manifest, ``manifests/<host>/<namespace>/<model>/<tag>`` (JSON in the OCI image
format), whose layers point at content-addressed blobs, ``blobs/sha256-<hex>``. The layer with media type
``application/vnd.ollama.image.model`` is the GGUF file itself, so Aeon Studio can load it in place: nothing is
copied. The folder is ``OLLAMA_MODELS`` when set, else ``~/.ollama/models``, as in Ollama's ``envconfig.Models``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelError, NotFoundError
from ..i18n import _

log = logging.getLogger(__name__)

MODEL_MEDIA_TYPE = "application/vnd.ollama.image.model"
DEFAULT_HOST, DEFAULT_NAMESPACE = "registry.ollama.ai", "library"
GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class OllamaModel:
    """One model in Ollama's library."""

    name: str  # as ``ollama list`` shows it: ``qwen2.5:0.5b``, ``user/model:tag``, ``hf.co/org/repo:Q4_K_M``
    size: int  # bytes of the model layer (the GGUF)
    blob: Path  # the GGUF file
    digest: str  # ``sha256:<hex>`` of the model layer
    manifest: Path
    is_gguf: bool  # the blob starts with the GGUF signature (Ollama can store other formats)


def ollama_models_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Ollama's models folder: ``OLLAMA_MODELS``, else ``~/.ollama/models``."""
    env = os.environ if environ is None else environ
    value = (env.get("OLLAMA_MODELS") or "").strip()
    if value:
        return Path(value).expanduser()
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".ollama" / "models"


def display_name(host: str, namespace: str, model: str, tag: str) -> str:
    """The name Ollama shows for a manifest path (its ``ShortString``): defaults left out."""
    if host == DEFAULT_HOST:
        prefix = "" if namespace == DEFAULT_NAMESPACE else f"{namespace}/"
    else:
        prefix = f"{host}/{namespace}/"
    return f"{prefix}{model}:{tag}"


def _starts_like_gguf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == GGUF_MAGIC
    except OSError:
        return False


def _read_manifest(manifest: Path, models_dir: Path, name: str) -> OllamaModel | None:
    """The model layer of one manifest; ``None`` (logged) for a manifest without one or whose blob is missing."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        layers = data.get("layers") or []
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("Skipping unreadable Ollama manifest %s: %s", manifest, exc)
        return None
    layer = next((lay for lay in layers if isinstance(lay, dict) and lay.get("mediaType") == MODEL_MEDIA_TYPE),
                 None)
    digest = str(layer.get("digest", "")) if layer else ""
    if not digest.startswith("sha256:"):
        log.info("Ollama manifest %s has no model layer", manifest)
        return None
    blob = models_dir / "blobs" / digest.replace(":", "-")
    if not blob.is_file():
        log.warning("Ollama model %s: blob %s is missing", name, blob)
        return None
    return OllamaModel(name=name, size=int(layer.get("size") or blob.stat().st_size), blob=blob, digest=digest,
                       manifest=manifest, is_gguf=_starts_like_gguf(blob))


def list_ollama_models(models_dir: Path | None = None) -> list[OllamaModel]:
    """Every model in Ollama's library at ``models_dir`` (default :func:`ollama_models_dir`), sorted by name.

    A missing folder is an empty library (Ollama not installed), not an error.
    """
    models_dir = Path(models_dir) if models_dir is not None else ollama_models_dir()
    root = models_dir / "manifests"
    if not root.is_dir():
        return []
    found = []
    for manifest in root.glob("*/*/*/*"):
        if not manifest.is_file():
            continue
        host, namespace, model, tag = manifest.relative_to(root).parts
        entry = _read_manifest(manifest, models_dir, display_name(host, namespace, model, tag))
        if entry is not None:
            found.append(entry)
    return sorted(found, key=lambda m: m.name)


def find_ollama_model(name: str, models_dir: Path | None = None) -> OllamaModel:
    """The model called ``name`` (``:latest`` when no tag is given), checked to be a GGUF.

    Raises:
        NotFoundError: no such model (the message lists the ones there are).
        ModelError: the model's file is not GGUF, so llama.cpp cannot load it.
    """
    wanted = name.strip()
    if ":" not in wanted.rsplit("/", 1)[-1]:
        wanted += ":latest"
    models = list_ollama_models(models_dir)
    match = next((m for m in models if m.name == wanted), None)
    folder = Path(models_dir) if models_dir is not None else ollama_models_dir()
    if match is None:
        names = ", ".join(m.name for m in models) or _("none")
        raise NotFoundError(_("Ollama has no model called '{name}' in {folder}.").format(name=wanted, folder=folder),
                            hint=_("Models there: {names}. Set OLLAMA_MODELS if Ollama keeps them elsewhere "
                                   "(a system install uses /usr/share/ollama/.ollama/models).").format(names=names))
    if not match.is_gguf:
        raise ModelError(_("Ollama's file for '{name}' ({blob}) is not a GGUF model, so it cannot be loaded "
                           "here.").format(name=match.name, blob=match.blob),
                         hint=_("Use this model through the Ollama chat backend instead, or add a GGUF file of "
                                "it from the Hub."))
    return match
