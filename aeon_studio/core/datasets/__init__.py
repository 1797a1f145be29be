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

The split is deterministic by content hash (default 90/10; datasets with fewer than 20 rows keep all in train),
stable across re-imports.
"""

from __future__ import annotations

from .errors import DatasetError
from .store import ChatsSummary, DatasetStore, build_from_chats, build_identity

__all__ = ["ChatsSummary", "DatasetError", "DatasetStore", "build_from_chats", "build_identity"]
