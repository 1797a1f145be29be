"""Dataset studio: named training sets of ``{"messages": [...]}`` examples and DPO preference pairs.

Public API (no Qt, no torch; everything is stored in SQLite through :mod:`aeon_studio.core.storage`):

- :class:`DatasetStore` (``aeon_studio.core.datasets.store``)
  - ``get(name)`` → the :class:`~aeon_studio.core.storage.datasets_tables.Dataset` row (``DatasetError`` if missing)
  - ``list()`` → every dataset; ``delete(name)``
  - ``add_examples(name, examples, source=…)`` → ``(added, duplicates)`` (exact duplicates are skipped)
  - ``examples(name, split="train"|"eval"|"all")`` → list of ``{"messages": [...]}`` dicts
  - ``preference_pairs(name, split="all")`` → list of ``{"prompt": [messages], "chosen": str, "rejected": str}``
  - ``build_from_chats(name, min_likert=4, since=None, persona=None)`` → :class:`ChatsSummary`
  - ``build_identity(name, assistant_name, creator, description="")`` → number of examples
  - ``stats(name)`` → dict (examples, train/eval, tokens, domains, rating histogram, pairs, warnings)
  - ``export(name, path, fmt="messages"|"sharegpt"|"dpo", split="all")`` → rows written (temp file, then rename)
- :func:`build_from_chats`, :func:`build_identity`: the same on the default store.
- :func:`identity_examples` (``.identity``): the generated identity Q/A (English and Portuguese), no database.
- :func:`parse_since` (``.chats``): ``"30d"``, ``"12h"``, ``"2w"`` or an ISO date → aware ``datetime``.
- :class:`DatasetError`: every error of this area (an ``AeonError``).

Importing (streamed, bounded memory; ``.importers`` re-exports it all): :data:`FORMATS` (log, csv, json, jsonl,
document), :func:`detect_format`, :func:`parse_speakers` (``.detect``), :func:`preview_file` → :class:`Preview`
(``.preview``), :func:`import_files` (``.importers``) / :func:`convert_file` (``.convert``) →
:class:`ImportSummary` (``.pipeline``; rejects JSONL with ``ref``/``reason``).
Cleaning (``.clean``): ``scrub_pii``, ``pii_preview``, ``load_domains``. Documents (``.documents``):
``split_passages``, ``read_document``; passages live in the ``dataset_passage`` table. Questions
(``.questions``): ``generate_questions`` → ``Candidate``; stored as pending ``dataset_candidate`` rows and
reviewed with ``DatasetStore.list_candidates`` / ``accept_candidate`` / ``reject_candidate``.

The split is deterministic by content hash (default 90/10; datasets with fewer than 20 rows keep all in train),
stable across re-imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import DatasetError

# Names are loaded on first use: ``convert`` (no database) must not pay for SQLAlchemy at start-up.
_LAZY = {
    "ChatsSummary": "store", "DatasetStore": "store", "build_from_chats": "store", "build_identity": "store",
    "DEFAULT_SPEAKERS": "detect", "FORMATS": "detect", "FormatInfo": "detect",
    "ImportSummary": "pipeline", "Preview": "preview", "convert_file": "convert",
    "detect_format": "detect", "import_files": "importers", "parse_speakers": "detect",
    "preview_file": "preview", "Record": "records",
}

if TYPE_CHECKING:  # pragma: no cover
    from .convert import convert_file  # noqa: F401
    from .detect import DEFAULT_SPEAKERS, FORMATS, FormatInfo, detect_format, parse_speakers  # noqa: F401
    from .importers import import_files  # noqa: F401
    from .pipeline import ImportSummary  # noqa: F401
    from .preview import Preview, preview_file  # noqa: F401
    from .records import Record  # noqa: F401
    from .store import ChatsSummary, DatasetStore, build_from_chats, build_identity  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["DatasetError", *sorted(_LAZY)]
